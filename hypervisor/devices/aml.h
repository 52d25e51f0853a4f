/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aml.h: a tiny AML assembler for the DSDT xmhv writes (acpi.c and the
 * hot-plug objects of acpi_pcihp.c): bytes into a bounded buffer, bodies
 * whose PkgLength is filled in when they close. An overflow is remembered
 * in err (-ENOSPC) and later calls do nothing. Pure. */
#ifndef XMHV_AML_H
#define XMHV_AML_H

#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len, max;
	int err;
};

void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t b);
/* Open a PkgLength-prefixed body: returns where it starts. */
size_t aml_open(struct aml *a);
/* Close the body opened at start: insert its PkgLength in front. */
void aml_close(struct aml *a, size_t start);
/* Name(name, EISAID(id)), Name(name, byte), Name(name, "str"),
 * Name(name, ResourceTemplate() { res }) with the end tag appended. */
void aml_name_eisaid(struct aml *a, const char *name, const char id[7]);
void aml_name_byte(struct aml *a, const char *name, uint8_t v);
void aml_name_string(struct aml *a, const char *name, const char *str);
void aml_name_resources(struct aml *a, const char *name, const uint8_t *res,
			size_t len);

#endif
