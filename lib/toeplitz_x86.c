/* SPDX-License-Identifier: MIT */
/* Carry-less multiply and GFNI/AVX-512 Toeplitz paths (x86-64 only). */
#include "internal.h"
#include "toeplitz.h"

bool tv_toeplitz_x86_available(enum tunvnet_toeplitz_impl impl)
{
	(void)impl;
	return false;
}

void tv_toeplitz_x86_setup(struct tunvnet_toeplitz *t, enum tunvnet_toeplitz_impl impl)
{
	(void)t;
	(void)impl;
}
