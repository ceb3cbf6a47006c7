package rdbfmt

// CRC-64/Jones as Redis computes it: reflected polynomial 0x95AC9329AC4BC9B5,
// initial value 0, no final xor. The check value of "123456789" is
// 0xe9c6d914c4b8d9ca.

const crc64Poly = 0x95AC9329AC4BC9B5

var crc64Tables = func() (t [8][256]uint64) {
	for i := 0; i < 256; i++ {
		crc := uint64(i)
		for j := 0; j < 8; j++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ crc64Poly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := 0; i < 256; i++ {
		crc := t[0][i]
		for k := 1; k < 8; k++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[k][i] = crc
		}
	}
	return t
}()

// CRC64 returns crc updated with p. Start from 0; the CRC of a whole input is
// the CRC of its parts fed in order.
func CRC64(crc uint64, p []byte) uint64 {
	return crc64Slicing8(crc, p)
}

func crc64Slicing8(crc uint64, p []byte) uint64 {
	t := &crc64Tables
	for len(p) >= 8 {
		crc ^= uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
			uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
