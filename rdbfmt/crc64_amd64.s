//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// CRC-64/Jones by folding with carry-less multiplies, after Intel's "Fast
// CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction",
// for the reflected polynomial. The constants and their representation are
// explained in crc64.go (crc64MakeConsts).
//
// An xmm block holds bytes b0..b15 little-endian: its low qword H carries
// the higher powers of x. Folding a block onto the block D bits later is
//   block' = clmul(H, k.lo) ^ clmul(L, k.hi) ^ next block
// with {k.lo, k.hi} = crc64FoldPair(D).

// FOLD folds accumulator acc over the 16 bytes at off(SI), with the pair in
// X14; tmp and ld are scratch.
#define FOLD(acc, tmp, ld, off) \
	MOVOA     acc, tmp;   \
	PCLMULQDQ $0x00, X14, acc; \
	PCLMULQDQ $0x11, X14, tmp; \
	MOVOU     off(SI), ld;     \
	PXOR      tmp, acc;        \
	PXOR      ld, acc

// FOLDINTO folds src onto dst with the pair in X14; src is clobbered.
#define FOLDINTO(src, dst, tmp) \
	MOVOA     src, tmp;        \
	PCLMULQDQ $0x00, X14, src; \
	PCLMULQDQ $0x11, X14, tmp; \
	PXOR      src, dst;        \
	PXOR      tmp, dst

// REDUCE turns the last block in X0 (R = H·x^64 + L, all folds applied)
// into the CRC in AX, R·x^64 mod P:
//   T = H·(x^128 mod P) + L·x^64     (degree < 128, T ≡ R·x^64)
//   q = floor(T_hi·μ / x^64)         (Barrett quotient)
//   CRC = T + q·P = (T + q·C) + q    (C = P - 1, see crc64MakeConsts)
#define REDUCE \
	MOVOU     k_fold128(DX), X14;  \
	MOVOA     X0, X1;              \
	PCLMULQDQ $0x10, X14, X0;      \
	PSRLDQ    $8, X1;              \
	PXOR      X1, X0;              \
	MOVOU     k_barrett(DX), X13;  \
	MOVOA     X0, X1;              \
	PCLMULQDQ $0x00, X13, X0;      \
	MOVOA     X0, X2;              \
	PCLMULQDQ $0x10, X13, X0;      \
	PXOR      X1, X0;              \
	PSLLDQ    $8, X2;              \
	PXOR      X2, X0;              \
	PEXTRQ    $1, X0, AX

#define k_fold128 crc64Consts_fold128
#define k_fold1024 crc64Consts_fold1024
#define k_foldTo1 crc64Consts_foldTo1
#define k_barrett crc64Consts_barrett
#define k_fold2048 crc64Consts_fold2048
#define k_foldZ crc64Consts_foldZ
#define k_lanes crc64Consts_lanes

// func crc64CLMUL(crc uint64, p []byte, k *crc64Consts) uint64
TEXT ·crc64CLMUL(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX
	MOVQ AX, X8 // the incoming crc goes over the first 8 bytes
	CMPQ CX, $128
	JB   one

	// Eight accumulators, 128 bytes per step.
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVOU 64(SI), X4
	MOVOU 80(SI), X5
	MOVOU 96(SI), X6
	MOVOU 112(SI), X7
	PXOR  X8, X0
	ADDQ  $128, SI
	SUBQ  $128, CX
	CMPQ  CX, $128
	JB    fold8

	MOVOU k_fold1024(DX), X14

	PCALIGN $16
loop128:
	FOLD(X0, X8, X9, 0)
	FOLD(X1, X10, X11, 16)
	FOLD(X2, X12, X13, 32)
	FOLD(X3, X8, X9, 48)
	FOLD(X4, X10, X11, 64)
	FOLD(X5, X12, X13, 80)
	FOLD(X6, X8, X9, 96)
	FOLD(X7, X10, X11, 112)
	ADDQ $128, SI
	SUBQ $128, CX
	CMPQ CX, $128
	JAE  loop128

fold8:
	MOVOU k_foldTo1+0(DX), X14
	FOLDINTO(X0, X7, X8)
	MOVOU k_foldTo1+16(DX), X14
	FOLDINTO(X1, X7, X8)
	MOVOU k_foldTo1+32(DX), X14
	FOLDINTO(X2, X7, X8)
	MOVOU k_foldTo1+48(DX), X14
	FOLDINTO(X3, X7, X8)
	MOVOU k_foldTo1+64(DX), X14
	FOLDINTO(X4, X7, X8)
	MOVOU k_foldTo1+80(DX), X14
	FOLDINTO(X5, X7, X8)
	MOVOU k_foldTo1+96(DX), X14
	FOLDINTO(X6, X7, X8)
	MOVOA X7, X0
	JMP   tail

one:
	MOVOU (SI), X0
	PXOR  X8, X0
	ADDQ  $16, SI
	SUBQ  $16, CX

tail:
	// One accumulator, 16 bytes per step, for what is left (< 128 bytes).
	MOVOU k_fold128(DX), X14
	CMPQ  CX, $16
	JB    reduce

loop16:
	FOLD(X0, X8, X9, 0)
	ADDQ $16, SI
	SUBQ $16, CX
	CMPQ CX, $16
	JAE  loop16

reduce:
	REDUCE
	MOVQ AX, ret+40(FP)
	RET

// func crc64AVX512(crc uint64, p []byte, k *crc64Consts) uint64
TEXT ·crc64AVX512(SB), NOSPLIT, $0-48
	MOVQ crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	MOVQ k+32(FP), DX

	// Four zmm accumulators of four 16-byte lanes each, 256 bytes per step.
	VMOVQ     AX, X8 // zeroes the rest of Z8
	VMOVDQU64 0(SI), Z0
	VMOVDQU64 64(SI), Z1
	VMOVDQU64 128(SI), Z2
	VMOVDQU64 192(SI), Z3
	VPXORQ    Z8, Z0, Z0
	ADDQ      $256, SI
	SUBQ      $256, CX
	JZ        foldz

	VBROADCASTI32X4 k_fold2048(DX), Z8

	PCALIGN $16
loop256:
	VMOVDQU64  0(SI), Z9
	VMOVDQU64  64(SI), Z10
	VMOVDQU64  128(SI), Z11
	VMOVDQU64  192(SI), Z12
	VPCLMULQDQ $0x00, Z8, Z0, Z4
	VPCLMULQDQ $0x11, Z8, Z0, Z0
	VPCLMULQDQ $0x00, Z8, Z1, Z5
	VPCLMULQDQ $0x11, Z8, Z1, Z1
	VPCLMULQDQ $0x00, Z8, Z2, Z6
	VPCLMULQDQ $0x11, Z8, Z2, Z2
	VPCLMULQDQ $0x00, Z8, Z3, Z7
	VPCLMULQDQ $0x11, Z8, Z3, Z3
	VPTERNLOGQ $0x96, Z9, Z4, Z0
	VPTERNLOGQ $0x96, Z10, Z5, Z1
	VPTERNLOGQ $0x96, Z11, Z6, Z2
	VPTERNLOGQ $0x96, Z12, Z7, Z3
	ADDQ       $256, SI
	SUBQ       $256, CX
	JNZ        loop256

foldz:
	// Z0, Z1, Z2 onto Z3 (192, 128 and 64 bytes ahead).
	VBROADCASTI32X4 k_foldZ+0(DX), Z8
	VBROADCASTI32X4 k_foldZ+16(DX), Z9
	VBROADCASTI32X4 k_foldZ+32(DX), Z10
	VPCLMULQDQ      $0x00, Z8, Z0, Z4
	VPCLMULQDQ      $0x11, Z8, Z0, Z0
	VPCLMULQDQ      $0x00, Z9, Z1, Z5
	VPCLMULQDQ      $0x11, Z9, Z1, Z1
	VPCLMULQDQ      $0x00, Z10, Z2, Z6
	VPCLMULQDQ      $0x11, Z10, Z2, Z2
	VPTERNLOGQ      $0x96, Z4, Z0, Z3
	VPTERNLOGQ      $0x96, Z5, Z1, Z3
	VPTERNLOGQ      $0x96, Z6, Z2, Z3

	// Lanes 0, 1, 2 of Z3 onto lane 3 (48, 32 and 16 bytes ahead); the
	// pair for lane 3 is zero, so Z4 holds the three folded lanes and 0.
	VMOVDQU64      k_lanes(DX), Z8
	VPCLMULQDQ     $0x00, Z8, Z3, Z4
	VPCLMULQDQ     $0x11, Z8, Z3, Z5
	VPXORQ         Z5, Z4, Z4
	VEXTRACTI32X4  $3, Z3, X5
	VEXTRACTI64X4  $1, Z4, Y6
	VPXOR          Y6, Y4, Y4
	VEXTRACTI128   $1, Y4, X6
	VPXOR          X6, X4, X4
	VPXOR          X5, X4, X0
	VZEROUPPER

	REDUCE
	MOVQ AX, ret+40(FP)
	RET
