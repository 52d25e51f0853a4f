/* SPDX-License-Identifier: GPL-2.0-or-later */
/* py_sandbox.h: the config evaluator child's limits (py_sandbox.c), used
 * by py.c in this order: py_install_allocator before Python starts,
 * py_cpu_init, py_confine, py_cap_heap, then py_arm_cpu/py_disarm_cpu
 * around each config. */
#ifndef XMCFG_PY_SANDBOX_H
#define XMCFG_PY_SANDBOX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Count every byte CPython allocates; past the cap, allocations fail
 * (MemoryError), under ASan too where RLIMIT_AS cannot be used. */
void py_install_allocator(void);
/* Allow bytes more than what is allocated now. */
void py_cap_heap(size_t bytes);
/* SIGPROF (the CPU timer) interrupts the interpreter and sets
 * py_cpu_expired. */
void py_cpu_init(void);
void py_arm_cpu(unsigned seconds);
void py_disarm_cpu(void);
extern volatile sig_atomic_t py_cpu_expired;
/* Drop root (to nobody) when we have it, no new privileges, rlimits
 * (cpu_total seconds of CPU, mem bytes above the current address space),
 * seccomp. 0, or a negative errno with the failed step in *what. */
int py_confine(unsigned cpu_total, uint64_t mem, const char **what);

#endif
