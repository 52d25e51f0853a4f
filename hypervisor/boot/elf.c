/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elf.c: the ELF64 kernel loader (vmlinux through the 64-bit boot
 * protocol, or the PVH entry from a XEN_ELFNOTE_PHYS32_ENTRY note). */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/boot.h"
#include "check.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static const Elf64_Phdr *
elf_phdrs(const uint8_t *buf, size_t len, size_t *n_out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)buf;

	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return NULL;
	*n_out = eh->e_phnum;
	return (const Elf64_Phdr *)(const void *)(buf + eh->e_phoff);
}

/* Pure: the PVH entry point from the PT_NOTE segments, 0 when absent. */
uint64_t
elf_pvh_entry(const uint8_t *buf, size_t len)
{
	const Elf64_Phdr *ph;
	const uint8_t *p, *end;
	uint32_t namesz, descsz, type;
	uint64_t v;
	size_t n, i, name4, desc4;

	if (len < sizeof(Elf64_Ehdr) || !(ph = elf_phdrs(buf, len, &n)))
		return 0;
	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_offset > len ||
		    ph[i].p_filesz > len - ph[i].p_offset)
			continue;
		p = buf + ph[i].p_offset;
		end = p + ph[i].p_filesz;
		while (end - p >= 12) {
			memcpy(&namesz, p, 4);
			memcpy(&descsz, p + 4, 4);
			memcpy(&type, p + 8, 4);
			name4 = ((size_t)namesz + 3) & ~(size_t)3;
			desc4 = ((size_t)descsz + 3) & ~(size_t)3;
			if (name4 > (size_t)(end - p - 12) ||
			    desc4 > (size_t)(end - p - 12) - name4)
				break;
			if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
			    memcmp(p + 12, "Xen", 4) == 0 &&
			    (descsz == 4 || descsz == 8)) {
				v = 0;
				memcpy(&v, p + 12 + name4, descsz);
				return descsz == 4 ? (uint32_t)v : v;
			}
			p += 12 + name4 + desc4;
		}
	}
	return 0;
}

static uint64_t
elf_entry_gpa(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && eh->e_entry >= ph[i].p_paddr &&
		    eh->e_entry - ph[i].p_paddr < ph[i].p_memsz)
			return eh->e_entry;
	/* vmlinux: a virtual entry, translated by its segment's offset. */
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && eh->e_entry >= ph[i].p_vaddr &&
		    eh->e_entry - ph[i].p_vaddr < ph[i].p_memsz)
			return eh->e_entry - ph[i].p_vaddr + ph[i].p_paddr;
	return 0;
}

int
elf_load(const struct boot_request *req, const uint8_t *buf, size_t len,
	 struct boot_image *out, char *errmsg, size_t errlen)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)buf;
	const Elf64_Phdr *ph;
	uint64_t end = 0, pvh, entry, initrd_gpa, initrd_size;
	uint16_t machine;
	uint8_t *dst;
	size_t n, i;
	int rc;

	if (len < 20) {
		snprintf(errmsg, errlen, "%s: truncated ELF file", req->kernel);
		return -ENOEXEC;
	}
	memcpy(&machine, buf + 18, 2);
	if (machine != EM_X86_64 || buf[EI_CLASS] != ELFCLASS64) {
		snprintf(errmsg, errlen,
			 "%s: ELF for another architecture (e_machine %u, "
			 "class %u); need x86-64 ELF64",
			 req->kernel, machine, buf[EI_CLASS]);
		return -ENOEXEC;
	}
	if (len < sizeof(*eh) || !(ph = elf_phdrs(buf, len, &n))) {
		snprintf(errmsg, errlen,
			 "%s: truncated ELF file (program headers)",
			 req->kernel);
		return -ENOEXEC;
	}
	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_offset > len ||
		    ph[i].p_filesz > len - ph[i].p_offset ||
		    ph[i].p_filesz > ph[i].p_memsz) {
			snprintf(errmsg, errlen,
				 "%s: truncated ELF file (segment %zu)",
				 req->kernel, i);
			return -ENOEXEC;
		}
		dst = mem_gpa_to_hva(req->mem, ph[i].p_paddr, ph[i].p_memsz);
		if (ph[i].p_paddr < HV_KERNEL_DEFAULT_GPA || !dst) {
			snprintf(
				errmsg, errlen,
				"%s: kernel too big for memory (segment %zu at "
				"0x%llx+0x%llx, guest has %llu MiB)",
				req->kernel, i,
				(unsigned long long)ph[i].p_paddr,
				(unsigned long long)ph[i].p_memsz,
				(unsigned long long)(req->mem->size >> 20));
			return -EFBIG;
		}
		memcpy(dst, buf + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
		if (ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!end) {
		snprintf(errmsg, errlen, "%s: ELF file has nothing to load",
			 req->kernel);
		return -ENOEXEC;
	}
	end = (end + 0xfff) & ~0xfffULL;
	rc = boot_load_ramdisk(req, end, XMHV_PCI_HOLE_START, &initrd_gpa,
			       &initrd_size, errmsg, errlen);
	if (rc < 0)
		return rc;
	pvh = elf_pvh_entry(buf, len);
	out->kernel_end = end;
	if (pvh && !req->no_pvh) {
		out->mode = BOOT_PVH32;
		out->entry = pvh;
		return pvh_write_start_info(req, initrd_gpa, initrd_size,
					    &out->arg_gpa);
	}
	entry = elf_entry_gpa(eh, ph, n);
	if (!entry) {
		snprintf(errmsg, errlen,
			 "%s: ELF entry point 0x%llx is in no loaded segment",
			 req->kernel, (unsigned long long)eh->e_entry);
		return -ENOEXEC;
	}
	rc = boot_write_params(req, NULL, 0, initrd_gpa, initrd_size, errmsg,
			       errlen);
	if (rc < 0)
		return rc;
	out->mode = BOOT_LONG64;
	out->entry = entry;
	out->arg_gpa = HV_BOOT_PARAMS_GPA;
	return 0;
}
