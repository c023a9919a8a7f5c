// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a tiny x86-64 "vmlinux" that hmmv run boots in long mode (the
 * first 4 GiB identity-mapped) at 16 MiB: it fills FILL_MIB of guest RAM
 * from START_MIB (at least 18) with a pattern, prints "filled" on COM1, then powers
 * off through the ACPI PM1a control register. Lets tests run hmmv's whole
 * start, fill and exit path in seconds instead of a Linux boot.
 *
 * usage: tiny_kernel OUT START_MIB FILL_MIB
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/acpi.h"

#define TK_LOAD		0x1000000ULL		/* physical, 16 MiB */
#define TK_VIRT		0xffffffff81000000ULL	/* the kernel half, as vmlinux */
#define TK_PM1_CNT	(ACPI_PM1A_EVT + 4)

/* Fills from rdi for rcx qwords (both patched in); then "filled\n" to COM1; then S5. */
__asm__(".pushsection .rodata\n"
	".globl tk_code_start\n.globl tk_code_end\n.globl tk_code_fill\n"
	".globl tk_code_start_addr\n"
	"tk_code_start:\n"
	".code64\n"
	"	.byte 0x48, 0xbf\n"		/* movabs $imm64, %rdi */
	"tk_code_start_addr:\n"
	"	.quad 0\n"
	"	.byte 0x48, 0xb9\n"		/* movabs $imm64, %rcx */
	"tk_code_fill:\n"
	"	.quad 0\n"
	"	mov $0x5a5a5a5a5a5a5a5a, %rax\n"
	"	cld\n"
	"	rep stosq\n"
	"	mov $0x3f8, %dx\n"
	"	lea msg(%rip), %rsi\n"
	"1:	lodsb\n"
	"	test %al, %al\n"
	"	jz 2f\n"
	"	out %al, %dx\n"
	"	jmp 1b\n"
	"2:	mov $" "0x604" ", %dx\n"
	"	mov $((5 << 10) | (1 << 13)), %ax\n"
	"	out %ax, %dx\n"
	"3:	hlt\n"
	"	jmp 3b\n"
	"msg:	.asciz \"filled\\n\"\n"
	"tk_code_end:\n"
	".popsection\n");
extern const unsigned char tk_code_start[], tk_code_end[], tk_code_fill[],
	tk_code_start_addr[];

_Static_assert(TK_PM1_CNT == 0x604, "the code writes PM1a_CNT at 0x604");
_Static_assert(ACPI_S5_SLP_TYP == 5 && ACPI_PM1_CNT_SLP_EN == (1u << 13),
	       "the code writes SLP_TYP 5 with SLP_EN");

int main(int argc, char **argv)
{
	size_t code_len = (size_t)(tk_code_end - tk_code_start);
	unsigned char code[256];
	uint64_t qwords, start;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	FILE *f;

	if (argc != 4 || code_len > sizeof(code)) {
		fprintf(stderr, "usage: tiny_kernel OUT START_MIB FILL_MIB\n");
		return 2;
	}
	start = strtoull(argv[2], NULL, 0) << 20;
	qwords = strtoull(argv[3], NULL, 0) << 20 >> 3;
	if (start < TK_LOAD + (2ULL << 20)) {
		fprintf(stderr, "tiny_kernel: START_MIB below 18 would overwrite the code\n");
		return 2;
	}
	memcpy(code, tk_code_start, code_len);
	memcpy(code + (tk_code_start_addr - tk_code_start), &start, sizeof(start));
	memcpy(code + (tk_code_fill - tk_code_start), &qwords, sizeof(qwords));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = TK_LOAD;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | PF_X;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_vaddr = TK_VIRT;
	ph.p_paddr = TK_LOAD;
	ph.p_filesz = ph.p_memsz = code_len;
	ph.p_align = 0x1000;
	f = fopen(argv[1], "wb");
	if (!f || fwrite(&eh, sizeof(eh), 1, f) != 1 || fwrite(&ph, sizeof(ph), 1, f) != 1 ||
	    fwrite(code, code_len, 1, f) != 1 || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
