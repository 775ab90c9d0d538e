#ifndef STREAMFLOW_CSECP256K1_SHIM_H
#define STREAMFLOW_CSECP256K1_SHIM_H
#include <secp256k1.h>
#include <secp256k1_recovery.h>

/* Casting macros are not imported into Swift; expose them as functions. */
static inline unsigned int sf_secp256k1_context_none(void) { return SECP256K1_CONTEXT_NONE; }
static inline unsigned int sf_secp256k1_ec_uncompressed(void) { return SECP256K1_EC_UNCOMPRESSED; }
static inline unsigned int sf_secp256k1_ec_compressed(void) { return SECP256K1_EC_COMPRESSED; }
#endif
