#define HMMV_VERSION "0.1.0"
