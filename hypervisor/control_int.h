/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_int.h: the state of xmhv's toolstack mode, shared by the
 * build and loop (control.c), the connections and dispatch
 * (control_client.c), the domain requests (control_domain.c) and the
 * device hot-plug requests (control_devices.c). Main thread only. */
#ifndef XMHV_CONTROL_INT_H
#define XMHV_CONTROL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "creation.h"
#include "loop.h"
#include "proto.h"
#include "vm.h"

#define CONTROL_MAX_CLIENTS 32
#define CONTROL_CREATE_TIMEOUT_MS 30000
#define CONTROL_EVQ 64
/* State bits an event is sent for: running <-> blocked flips are not. */
#define CONTROL_EVENT_BITS                                                     \
	(XMHV_STATE_PAUSED | XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED |        \
	 XMHV_STATE_DYING)

struct control_client {
	struct control *ctl;
	int fd;
	bool watch;
	size_t have; /* bytes of hdr, then of payload, received */
	struct proto_hdr hdr;
	union proto_payload *msg; /* allocated once the header checked */
	int msg_fd;               /* an fd that came with the message */
	unsigned nfds;            /* how many came */
	/* NIC_VHOST's fd for the NIC_ATTACH that follows, and its MAC */
	int vhost_fd;
	uint8_t vhost_mac[6];
};

/* What a handler answers: a REPLY's message, or an INFO. */
union control_answer {
	struct proto_reply reply;
	struct proto_info info;
};

/* A state change from a vCPU thread, waiting for the main loop. */
struct control_evq {
	pthread_mutex_t lock;
	int fd; /* eventfd */
	unsigned head, tail;
	struct {
		uint32_t state, reason;
	} ev[CONTROL_EVQ];
};

/* A DISK_DETACH or NIC_DETACH answered when the guest ejects the device
 * (or times out). */
struct control_detach {
	struct control_client *cl; /* NULL: a free entry */
	uint32_t seq;
	char serial[24]; /* a disk's serial, or a NIC's MAC */
	uint64_t deadline_ns;
	bool nic;
};
#define CONTROL_DETACHES 8
/* A handler's answer comes later (control_detach). */
#define CONTROL_LATER 1

struct control {
	struct loop *loop;
	struct creation c; /* the configuration and the fds it came with */
	struct vm *vm;
	struct console *console;
	struct control_evq evq;
	int listen_fd;
	char sock_path[108], pid_path[XMHV_PATH_MAX];
	struct control_client clients[CONTROL_MAX_CLIENTS];
	struct control_detach detaches[CONTROL_DETACHES];
	uint32_t state, reason, pause_reason; /* last sent in an event */
	uint64_t created_ns;
	_Atomic bool service; /* vm_service is due (control_wake) */
	bool built;           /* the creator was told OK */
	bool destroyed;
};

/* Messages name a path of up to PATH_MAX: truncation is acceptable. */
void control_errmsg(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The domain's name in messages (empty before CREATE arrived). */
const char *control_name(const struct control *ctl);
/* -EINVAL with a message once the guest has shut down or crashed. */
int control_check_alive(struct control *ctl, union control_answer *ans);
int control_reply(int fd, uint32_t seq, int err, const char *msg);
void control_client_close(struct control *ctl, struct control_client *cl);
/* control.c: push one event to every watcher (a watcher whose socket is
 * full loses it), and re-read the VM state and push it if it moved. */
void control_push_event(struct control *ctl, uint32_t state, uint32_t reason);
void control_sync_state(struct control *ctl);
/* control_client.c: serve fd in client slot i (closed when the loop
 * cannot watch it); listen on sock_path (0600) and serve what connects:
 * 0 or -errno. */
void control_client_add(struct control *ctl, int i, int fd);
int control_listen(struct control *ctl);

/* control_domain.c: PING, UNPAUSE, PAUSE, SHUTDOWN, SET_VCPUS, WATCH,
 * DESTROY, GETINFO, and the creation messages once built (handlers: 0 or
 * a negative errno with ans->reply.msg saying why). */
int control_do_ping(struct control *ctl, struct control_client *cl,
		    union control_answer *ans);
int control_do_unpause(struct control *ctl, struct control_client *cl,
		       union control_answer *ans);
int control_do_pause(struct control *ctl, struct control_client *cl,
		     union control_answer *ans);
int control_do_shutdown(struct control *ctl, struct control_client *cl,
			union control_answer *ans);
int control_do_set_vcpus(struct control *ctl, struct control_client *cl,
			 union control_answer *ans);
int control_do_watch(struct control *ctl, struct control_client *cl,
		     union control_answer *ans);
int control_do_destroy(struct control *ctl, struct control_client *cl,
		       union control_answer *ans);
int control_do_getinfo(struct control *ctl, struct control_client *cl,
		       union control_answer *ans);
int control_do_create_again(struct control *ctl, struct control_client *cl,
			    union control_answer *ans);

/* control_devices.c: DISK_ATTACH, DISK_DETACH, NIC_VHOST, NIC_ATTACH and
 * NIC_DETACH (handlers: 0, a negative errno, or CONTROL_LATER when the
 * answer waits for the guest's eject), and the eject callback vm_service
 * calls with a disk's serial or a NIC's MAC. */
int control_do_disk_attach(struct control *ctl, struct control_client *cl,
			   union control_answer *ans);
int control_do_disk_detach(struct control *ctl, struct control_client *cl,
			   union control_answer *ans);
int control_do_nic_attach(struct control *ctl, struct control_client *cl,
			  union control_answer *ans);
int control_do_nic_vhost(struct control *ctl, struct control_client *cl,
			 union control_answer *ans);
int control_do_nic_detach(struct control *ctl, struct control_client *cl,
			  union control_answer *ans);
void control_device_removed(void *opaque, const char *serial);

#endif
