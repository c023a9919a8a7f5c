/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ACPI for a Linux guest: RSDP, XSDT, FADT (+FACS) with the PM1a
 * event and control ports, a DSDT with \_S5 and the PCI0 root bridge
 * (config mechanism 1, the 32-bit MMIO window in the PCI hole, _PRT for
 * INTx), and a MADT describing every vCPU and the IOAPIC. All tables live
 * in the reserved BIOS area at ACPI_RSDP_GPA.
 */
#ifndef HMMV_VMM_ACPI_H
#define HMMV_VMM_ACPI_H

#include <stdint.h>

#include "devices/legacy.h"	/* the PM1a ports the FADT names */

#define ACPI_RSDP_GPA		0xe0000ULL
#define ACPI_AREA_END		0x100000ULL

#define ACPI_SCI_IRQ		9

#define ACPI_IOAPIC_GPA		0xfec00000ULL
#define ACPI_LAPIC_GPA		0xfee00000ULL

/* The PCI root bridge's windows (devices/ places BARs inside). */
#define ACPI_PCI_MMIO_START	0xc0000000ULL
#define ACPI_PCI_MMIO_END	0xfebfffffULL	/* inclusive */
#define ACPI_PCI_SLOTS		8		/* _PRT covers slots 1..8 */

struct vm;
struct boot_info;

/* Writes every table into guest RAM; -errno when they do not fit. */
int acpi_build(struct vm *vm, const struct boot_info *bi);

#endif
