# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/hv.mk: kvm tier for xmhv (real /dev/kvm, root): the test guest
# through stand-alone xmhv, plus a tiny assembler stub wrapped into good and
# deliberately broken kernels for the loaders.
HV_STUB_LINKFLAGS = -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -Wl,-T,$(top_srcdir)/tests/kvm/hv_stub.ld
HV_MKIMAGE = $(PYTHON3) $(top_srcdir)/tests/kvm/hv_mkimage.py

tests/kvm/hv_stub.elf: tests/kvm/hv_stub.S tests/kvm/hv_stub.ld
	$(AM_V_GEN)$(MKDIR_P) tests/kvm && \
	$(GUEST_CC) $(HV_STUB_LINKFLAGS) -o $@ $(top_srcdir)/tests/kvm/hv_stub.S
tests/kvm/hv_stub.bin: tests/kvm/hv_stub.elf
	$(AM_V_GEN)objcopy -O binary -j .text $< $@
tests/kvm/hv_stub.bzImage: tests/kvm/hv_stub.bin tests/kvm/hv_mkimage.py
	$(AM_V_GEN)$(HV_MKIMAGE) bzimage $< $@
tests/kvm/hv_bad_magic.img: tests/kvm/hv_stub.bin
	$(AM_V_GEN)$(HV_MKIMAGE) not-a-kernel $< $@
tests/kvm/hv_bad_truncated.bzImage: tests/kvm/hv_stub.bin
	$(AM_V_GEN)$(HV_MKIMAGE) bzimage-truncated $< $@
tests/kvm/hv_bad_old.bzImage: tests/kvm/hv_stub.bin
	$(AM_V_GEN)$(HV_MKIMAGE) bzimage-old $< $@
tests/kvm/hv_bad_no64.bzImage: tests/kvm/hv_stub.bin
	$(AM_V_GEN)$(HV_MKIMAGE) bzimage-no64 $< $@
tests/kvm/hv_bad_huge.bzImage: tests/kvm/hv_stub.bin
	$(AM_V_GEN)$(HV_MKIMAGE) bzimage-huge $< $@
tests/kvm/hv_bad_aarch64.elf: tests/kvm/hv_stub.elf
	$(AM_V_GEN)$(HV_MKIMAGE) elf-aarch64 $< $@
tests/kvm/hv_bad_truncated.elf: tests/kvm/hv_stub.elf
	$(AM_V_GEN)$(HV_MKIMAGE) elf-truncated $< $@

HV_KVM_IMAGES = tests/kvm/hv_stub.elf tests/kvm/hv_stub.bin \
	tests/kvm/hv_stub.bzImage tests/kvm/hv_bad_magic.img \
	tests/kvm/hv_bad_truncated.bzImage tests/kvm/hv_bad_old.bzImage \
	tests/kvm/hv_bad_no64.bzImage tests/kvm/hv_bad_huge.bzImage \
	tests/kvm/hv_bad_aarch64.elf tests/kvm/hv_bad_truncated.elf
check_DATA += $(HV_KVM_IMAGES) tests/guest/guest.bzImage tests/guest/guest.elf
CLEANFILES += $(HV_KVM_IMAGES)
EXTRA_DIST += tests/kvm/hv_stub.S tests/kvm/hv_stub.ld tests/kvm/hv_mkimage.py \
	tests/kvm/hv_boot.py
KVM_TESTS += tests/kvm/hv_boot.py

check_PROGRAMS += tests/kvm/hv_kvm
KVM_TESTS += tests/kvm/hv_kvm
tests_kvm_hv_kvm_SOURCES = tests/kvm/hv_kvm.c
tests_kvm_hv_kvm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor \
	-I$(top_srcdir)/tests
tests_kvm_hv_kvm_LDADD = hypervisor/libxmhvcore.a tests/libtap.a \
	$(LIBURING_LIBS) \
	common/libcommon.a -lpthread

check_PROGRAMS += tests/kvm/hv_cpuhp
KVM_TESTS += tests/kvm/hv_cpuhp
tests_kvm_hv_cpuhp_SOURCES = tests/kvm/hv_cpuhp.c
tests_kvm_hv_cpuhp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_kvm_hv_cpuhp_LDADD = hypervisor/libxmhv.a tests/libtap.a \
	common/libcommon.a
