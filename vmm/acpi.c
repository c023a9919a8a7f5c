// SPDX-License-Identifier: GPL-2.0
/* ACPI tables and the tiny AML the DSDT needs. */
#include <errno.h>
#include <string.h>

#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/vm.h"

#define RSDP_OFF	0x0000
#define XSDT_OFF	0x0040
#define FACS_OFF	0x0100
#define FADT_OFF	0x0200
#define MADT_OFF	0x0400
#define DSDT_OFF	0x1000
#define DSDT_MAX	0x2000
#define HDR_LEN		36
#define FADT_LEN	276

/* ---- AML: a byte buffer with nested package lengths ---- */

struct aml {
	uint8_t *buf;
	size_t len, cap;
	size_t open[8];		/* offsets of unfinished PkgLength fields */
	int depth;
	bool overflow;
};

static void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len >= a->cap) {
		a->overflow = true;
		return;
	}
	a->buf[a->len++] = b;
}

static void aml_le(struct aml *a, uint64_t v, int n)
{
	while (n--) {
		aml_byte(a, (uint8_t)v);
		v >>= 8;
	}
}

static void aml_seg(struct aml *a, const char *seg)
{
	int i;

	for (i = 0; i < 4; i++)
		aml_byte(a, (uint8_t)seg[i]);
}

static void aml_int(struct aml *a, uint64_t v)
{
	if (v <= 1) {
		aml_byte(a, (uint8_t)v);		/* ZeroOp, OneOp */
	} else if (v <= 0xff) {
		aml_byte(a, 0x0a);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, 0x0b);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, 0x0c);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, 0x0e);
		aml_le(a, v, 8);
	}
}

/* Reserves room for a PkgLength, filled in by aml_end(). */
static void aml_begin(struct aml *a)
{
	if (a->depth >= 8) {
		a->overflow = true;
		return;
	}
	a->open[a->depth++] = a->len;
	aml_le(a, 0, 4);
}

static void aml_end(struct aml *a)
{
	size_t at, body, total;
	int n;

	if (a->overflow || !a->depth)
		return;
	at = a->open[--a->depth];
	body = a->len - at - 4;
	for (n = 1; n <= 4; n++) {
		total = body + n;
		if ((n == 1 && total < 0x40) || (n > 1 && total < (1ULL << (4 + 8 * (n - 1)))))
			break;
	}
	memmove(a->buf + at + n, a->buf + at + 4, body);
	a->len -= 4 - n;
	if (n == 1) {
		a->buf[at] = (uint8_t)total;
		return;
	}
	a->buf[at] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
	for (int i = 1; i < n; i++)
		a->buf[at + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}

static void aml_name(struct aml *a, const char *seg)
{
	aml_byte(a, 0x08);	/* NameOp */
	aml_seg(a, seg);
}

static void aml_name_int(struct aml *a, const char *seg, uint64_t v)
{
	aml_name(a, seg);
	aml_int(a, v);
}

/* EISAID("PNP0A03") style compressed ID. */
static uint32_t aml_eisaid(const char *id)
{
	uint16_t vendor = (uint16_t)(((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) |
				     (id[2] - 0x40));
	uint16_t product = 0;
	int i;

	for (i = 3; i < 7; i++)
		product = (uint16_t)((product << 4) |
			  (id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10));
	return (uint32_t)__builtin_bswap16(vendor) |
	       ((uint32_t)__builtin_bswap16(product) << 16);
}

static void aml_word_space(struct aml *a, uint8_t type, uint8_t tflags,
			   uint16_t min, uint16_t max)
{
	aml_byte(a, 0x88);		/* Word Address Space Descriptor */
	aml_le(a, 13, 2);
	aml_byte(a, type);
	aml_byte(a, 0x0c);		/* MinFixed, MaxFixed */
	aml_byte(a, tflags);
	aml_le(a, 0, 2);		/* granularity */
	aml_le(a, min, 2);
	aml_le(a, max, 2);
	aml_le(a, 0, 2);		/* translation */
	aml_le(a, (uint32_t)max - min + 1, 2);
}

static void aml_pci_crs(struct aml *a)
{
	aml_name(a, "_CRS");
	aml_byte(a, 0x11);		/* BufferOp */
	aml_begin(a);
	aml_int(a, 3 * 16 + 8 + 26 + 2);	/* bytes of descriptors below */
	aml_word_space(a, 2, 0, 0, 0xff);		/* bus numbers */
	aml_byte(a, 0x47);				/* IO 0xcf8, 8 ports */
	aml_byte(a, 1);
	aml_le(a, 0xcf8, 2);
	aml_le(a, 0xcf8, 2);
	aml_byte(a, 1);
	aml_byte(a, 8);
	aml_word_space(a, 1, 3, 0x0000, 0x0cf7);	/* I/O windows */
	aml_word_space(a, 1, 3, 0x0d00, 0xffff);
	aml_byte(a, 0x87);				/* DWord memory window */
	aml_le(a, 23, 2);
	aml_byte(a, 0);
	aml_byte(a, 0x0c);
	aml_byte(a, 0x01);				/* read-write, non-cacheable */
	aml_le(a, 0, 4);
	aml_le(a, ACPI_PCI_MMIO_START, 4);
	aml_le(a, ACPI_PCI_MMIO_END, 4);
	aml_le(a, 0, 4);
	aml_le(a, ACPI_PCI_MMIO_END - ACPI_PCI_MMIO_START + 1, 4);
	aml_byte(a, 0x79);				/* end tag */
	aml_byte(a, 0);
	aml_end(a);
}

/* INTx of slot s, pin p: GSI 16 + (s - 1 + p) % 8 (see VM_PCI_INTX_GSI). */
static void aml_pci_prt(struct aml *a)
{
	int s, p;

	aml_name(a, "_PRT");
	aml_byte(a, 0x12);		/* PackageOp */
	aml_begin(a);
	aml_byte(a, ACPI_PCI_SLOTS * 4);
	for (s = 1; s <= ACPI_PCI_SLOTS; s++) {
		for (p = 0; p < 4; p++) {
			aml_byte(a, 0x12);
			aml_begin(a);
			aml_byte(a, 4);
			aml_int(a, ((uint64_t)s << 16) | 0xffff);
			aml_int(a, (uint64_t)p);
			aml_int(a, 0);
			aml_int(a, 16 + (uint64_t)((s - 1 + p) % 8));
			aml_end(a);
		}
	}
	aml_end(a);
}

static void aml_dsdt_body(struct aml *a)
{
	int i;

	/* Name (\_S5, Package () { 5, 5, 0, 0 }) */
	aml_byte(a, 0x08);
	aml_byte(a, '\\');
	aml_seg(a, "_S5_");
	aml_byte(a, 0x12);
	aml_begin(a);
	aml_byte(a, 4);
	for (i = 0; i < 2; i++)
		aml_int(a, ACPI_S5_SLP_TYP);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_end(a);

	/* Scope (\_SB) { Device (PCI0) { ... } } */
	aml_byte(a, 0x10);
	aml_begin(a);
	aml_byte(a, '\\');
	aml_seg(a, "_SB_");
	aml_byte(a, 0x5b);
	aml_byte(a, 0x82);
	aml_begin(a);
	aml_seg(a, "PCI0");
	aml_name(a, "_HID");
	aml_byte(a, 0x0c);
	aml_le(a, aml_eisaid("PNP0A03"), 4);
	aml_name_int(a, "_UID", 0);
	aml_name_int(a, "_SEG", 0);
	aml_name_int(a, "_BBN", 0);
	aml_name_int(a, "_ADR", 0);
	aml_pci_crs(a);
	aml_pci_prt(a);
	aml_end(a);
	aml_end(a);
}

/* ---- tables ---- */

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void put(uint8_t *p, size_t off, uint64_t v, int n)
{
	while (n--) {
		p[off++] = (uint8_t)v;
		v >>= 8;
	}
}

static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put(t, 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, "HMMV  ", 6);
	memcpy(t + 16, "HMMV", 4);
	memcpy(t + 20, sig, 4);
	put(t, 24, 1, 4);
	memcpy(t + 28, "HMMV", 4);
	put(t, 32, 1, 4);
}

static void acpi_finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - acpi_sum(t, len));
}

/* Generic Address Structure for a system I/O port. */
static void acpi_gas_io(uint8_t *t, size_t off, uint16_t port, uint8_t bits)
{
	t[off] = 1;
	t[off + 1] = bits;
	t[off + 2] = 0;
	t[off + 3] = bits == 32 ? 3 : 2;
	put(t, off + 4, port, 8);
}

static void acpi_fadt(uint8_t *t, uint64_t base)
{
	memset(t, 0, FADT_LEN);
	acpi_header(t, "FACP", FADT_LEN, 6);
	put(t, 36, base + FACS_OFF, 4);
	put(t, 40, base + DSDT_OFF, 4);
	put(t, 46, ACPI_SCI_IRQ, 2);
	put(t, 56, ACPI_PM1A_EVT, 4);
	put(t, 64, ACPI_PM1A_CNT, 4);
	t[88] = 4;			/* PM1_EVT_LEN */
	t[89] = 2;			/* PM1_CNT_LEN */
	/* IAPC_BOOT_ARCH: no VGA, no CMOS RTC; no 8042 bit so Linux skips
	 * probing a keyboard controller it would never use. */
	put(t, 109, (1u << 2) | (1u << 5), 2);
	/* Flags: WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON absent. */
	put(t, 112, (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5), 4);
	put(t, 132, base + FACS_OFF, 8);
	put(t, 140, base + DSDT_OFF, 8);
	acpi_gas_io(t, 148, ACPI_PM1A_EVT, 32);
	acpi_gas_io(t, 172, ACPI_PM1A_CNT, 16);
	acpi_finish(t, FADT_LEN);
}

static void acpi_facs(uint8_t *t)
{
	memset(t, 0, 64);
	memcpy(t, "FACS", 4);
	put(t, 4, 64, 4);
	t[32] = 2;			/* version */
}

static uint32_t acpi_madt(uint8_t *t, int ncpus)
{
	uint32_t off = 44;
	int i;

	acpi_header(t, "APIC", 0, 4);
	put(t, 36, ACPI_LAPIC_GPA, 4);
	put(t, 40, 1, 4);		/* PCAT_COMPAT: 8259s present */
	for (i = 0; i < ncpus; i++) {
		t[off] = 0;		/* processor local APIC */
		t[off + 1] = 8;
		t[off + 2] = (uint8_t)i;
		t[off + 3] = (uint8_t)i;
		put(t, off + 4, 1, 4);	/* enabled */
		off += 8;
	}
	t[off] = 1;			/* IOAPIC, ID after the CPUs' */
	t[off + 1] = 12;
	t[off + 2] = (uint8_t)ncpus;
	t[off + 3] = 0;
	put(t, off + 4, ACPI_IOAPIC_GPA, 4);
	put(t, off + 8, 0, 4);
	off += 12;
	t[off] = 2;			/* SCI: ISA IRQ 9, level, active high */
	t[off + 1] = 10;
	t[off + 2] = 0;
	t[off + 3] = ACPI_SCI_IRQ;
	put(t, off + 4, ACPI_SCI_IRQ, 4);
	put(t, off + 8, 0xd, 2);
	off += 10;
	t[off] = 4;			/* LINT1 of every CPU is NMI */
	t[off + 1] = 6;
	t[off + 2] = 0xff;
	put(t, off + 3, 0, 2);
	t[off + 5] = 1;
	off += 6;
	put(t, 4, off, 4);
	acpi_finish(t, off);
	return off;
}

static void acpi_xsdt(uint8_t *t, uint64_t base)
{
	acpi_header(t, "XSDT", HDR_LEN + 16, 1);
	put(t, HDR_LEN, base + FADT_OFF, 8);
	put(t, HDR_LEN + 8, base + MADT_OFF, 8);
	acpi_finish(t, HDR_LEN + 16);
}

static void acpi_rsdp(uint8_t *t, uint64_t base)
{
	memset(t, 0, 36);
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "HMMV  ", 6);
	t[15] = 2;
	put(t, 20, 36, 4);
	put(t, 24, base + XSDT_OFF, 8);
	t[8] = (uint8_t)(0x100 - acpi_sum(t, 20));
	t[32] = (uint8_t)(0x100 - acpi_sum(t, 36));
}

int acpi_build(struct vm *vm, const struct boot_info *bi)
{
	uint64_t base = ACPI_RSDP_GPA;
	uint8_t *t = memory_translate(&vm->mem, base, ACPI_AREA_END - base);
	struct aml a;

	if (!t)
		return -ENOSPC;
	memset(t, 0, ACPI_AREA_END - base);
	a = (struct aml){ .buf = t + DSDT_OFF + HDR_LEN, .cap = DSDT_MAX - HDR_LEN };
	aml_dsdt_body(&a);
	if (a.overflow || a.depth)
		return -ENOSPC;
	acpi_header(t + DSDT_OFF, "DSDT", (uint32_t)(HDR_LEN + a.len), 2);
	acpi_finish(t + DSDT_OFF, (uint32_t)(HDR_LEN + a.len));
	if (MADT_OFF + 44 + 8 * vm->cfg->nr_cpus + 28 > DSDT_OFF)
		return -ENOSPC;
	acpi_madt(t + MADT_OFF, vm->cfg->nr_cpus);
	acpi_facs(t + FACS_OFF);
	acpi_fadt(t + FADT_OFF, base);
	acpi_xsdt(t + XSDT_OFF, base);
	acpi_rsdp(t + RSDP_OFF, base);
	return 0;
}
