# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/hv.mk: unit tests of xmhv's machine (no KVM, no root): tables,
# loaders with crafted images, device registers.
HV_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor -I$(top_srcdir)/tests
HV_UNIT_LDADD = hypervisor/libxmhvcore.a tests/libtap.a common/libcommon.a \
	$(LIBURING_LIBS) -lpthread

check_PROGRAMS += tests/unit/hv_tables tests/unit/hv_loader
TESTS += tests/unit/hv_tables tests/unit/hv_loader
tests_unit_hv_tables_SOURCES = tests/unit/hv_tables.c
tests_unit_hv_tables_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_tables_LDADD = $(HV_UNIT_LDADD)
tests_unit_hv_loader_SOURCES = tests/unit/hv_loader.c
tests_unit_hv_loader_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_loader_LDADD = $(HV_UNIT_LDADD)

check_PROGRAMS += tests/unit/hv_cpuhp_tables
TESTS += tests/unit/hv_cpuhp_tables
tests_unit_hv_cpuhp_tables_SOURCES = tests/unit/hv_cpuhp_tables.c
tests_unit_hv_cpuhp_tables_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_cpuhp_tables_LDADD = $(HV_UNIT_LDADD)

check_PROGRAMS += tests/unit/hv_bus
TESTS += tests/unit/hv_bus
tests_unit_hv_bus_SOURCES = tests/unit/hv_bus.c
tests_unit_hv_bus_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_bus_LDADD = $(HV_UNIT_LDADD)

check_PROGRAMS += tests/unit/hv_mem
TESTS += tests/unit/hv_mem
tests_unit_hv_mem_SOURCES = tests/unit/hv_mem.c
tests_unit_hv_mem_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_mem_LDADD = $(HV_UNIT_LDADD)

# The PCI core's function model (hv_pci) and its interrupt routing tables
# (hv_pci_routes).
check_PROGRAMS += tests/unit/hv_pci tests/unit/hv_pci_routes
TESTS += tests/unit/hv_pci tests/unit/hv_pci_routes
tests_unit_hv_pci_SOURCES = tests/unit/hv_pci.c tests/unit/hv_pci_fixture.c \
	tests/unit/hv_pci_fixture.h
tests_unit_hv_pci_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_pci_LDADD = $(HV_UNIT_LDADD)
tests_unit_hv_pci_routes_SOURCES = tests/unit/hv_pci_routes.c
tests_unit_hv_pci_routes_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_pci_routes_LDADD = $(HV_UNIT_LDADD)

check_PROGRAMS += tests/unit/hv_virtq tests/unit/hv_virtio tests/unit/hv_vblk
TESTS += tests/unit/hv_virtq tests/unit/hv_virtio tests/unit/hv_vblk
tests_unit_hv_virtq_SOURCES = tests/unit/hv_virtq.c
tests_unit_hv_virtq_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_virtq_LDADD = $(HV_UNIT_LDADD)
tests_unit_hv_virtio_SOURCES = tests/unit/hv_virtio.c
tests_unit_hv_virtio_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_virtio_LDADD = $(HV_UNIT_LDADD)
tests_unit_hv_vblk_SOURCES = tests/unit/hv_vblk.c
tests_unit_hv_vblk_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_vblk_LDADD = $(HV_UNIT_LDADD)

check_PROGRAMS += tests/unit/hv_vnet
TESTS += tests/unit/hv_vnet
tests_unit_hv_vnet_SOURCES = tests/unit/hv_vnet.c
tests_unit_hv_vnet_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_vnet_LDADD = $(HV_UNIT_LDADD)
check_PROGRAMS += tests/unit/hv_vnet_dev
TESTS += tests/unit/hv_vnet_dev
tests_unit_hv_vnet_dev_SOURCES = tests/unit/hv_vnet_dev.c
tests_unit_hv_vnet_dev_CPPFLAGS = $(HV_UNIT_CPPFLAGS)
tests_unit_hv_vnet_dev_LDADD = $(HV_UNIT_LDADD)
