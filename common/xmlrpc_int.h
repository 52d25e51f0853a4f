/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_int.h: what the xmlrpc_*.c files share beyond xmlrpc.h. */
#ifndef XM_XMLRPC_INT_H
#define XM_XMLRPC_INT_H

#include "xmlrpc.h"

/* A zeroed value node of type type (freed by xmlrpc_free), or NULL. */
struct xmlrpc_value *xmlrpc_alloc(enum xmlrpc_type type);

#endif
