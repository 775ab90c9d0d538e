// Keccak-f[1600] kernels in C for EthCrypto (see scripts/gen-keccak.py).
#ifndef CKECCAK_H
#define CKECCAK_H
#include <stddef.h>
#include <stdint.h>

/// Permutes one 25-lane state in place.
void sf_keccak_f1600(uint64_t state[25]);

/// Whether this CPU runs `sf_keccak_absorb_x8` (AVX-512F); call nothing else of x8 when it is 0.
int sf_keccak_x8_supported(void);

/// For each of 8 states (`states` holds 8 × 25 lanes, one state after another), absorbs `blocks`
/// full 136-byte blocks of its message: XOR into the first 17 lanes, then permute.
void sf_keccak_absorb_x8(uint64_t *states, const uint8_t *const *messages, size_t blocks);

#endif
