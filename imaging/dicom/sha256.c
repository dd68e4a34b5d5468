/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): small, dependency-free, tested against the
 * FIPS 180-2 and RFC 4231 vectors in tests/store. */
#include <htdicom.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  uint32_t h[8];
  uint64_t nbytes;
  uint8_t  buf[64];
  size_t   nbuf;
} Sha256Ctx;

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void Block(Sha256Ctx *c, const uint8_t *p)
{
  uint32_t w[64], a, b, cc, d, e, f, g, h;
  for (int t = 0; t < 16; t++) w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t]        = w[t - 16] + s0 + w[t - 7] + s1;
  }
  a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t S1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = h + S1 + ch + K[t] + w[t];
    uint32_t S0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
    uint32_t mj = (a & b) ^ (a & cc) ^ (b & cc);
    uint32_t t2 = S0 + mj;
    h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2;
  }
  c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void Init(Sha256Ctx *c)
{
  static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, H0, sizeof(H0));
  c->nbytes = 0;
  c->nbuf   = 0;
}

static void Update(Sha256Ctx *c, const void *data, size_t len)
{
  const uint8_t *p = (const uint8_t *)data;
  c->nbytes += len;
  while (len) {
    if (c->nbuf == 0 && len >= 64) {
      Block(c, p);
      p += 64;
      len -= 64;
      continue;
    }
    size_t k = 64 - c->nbuf < len ? 64 - c->nbuf : len;
    memcpy(c->buf + c->nbuf, p, k);
    c->nbuf += k;
    p += k;
    len -= k;
    if (c->nbuf == 64) {
      Block(c, c->buf);
      c->nbuf = 0;
    }
  }
}

static void Final(Sha256Ctx *c, uint8_t out[32])
{
  uint64_t bits = c->nbytes * 8;
  uint8_t  pad  = 0x80, zero = 0, len[8];
  Update(c, &pad, 1);
  while (c->nbuf != 56) Update(c, &zero, 1);
  for (int q = 0; q < 8; q++) len[q] = (uint8_t)(bits >> (56 - 8 * q));
  Update(c, len, 8);
  for (int q = 0; q < 8; q++) {
    out[4 * q]     = (uint8_t)(c->h[q] >> 24);
    out[4 * q + 1] = (uint8_t)(c->h[q] >> 16);
    out[4 * q + 2] = (uint8_t)(c->h[q] >> 8);
    out[4 * q + 3] = (uint8_t)(c->h[q]);
  }
}

void HtSha256(const void *data, size_t len, uint8_t out[32])
{
  Sha256Ctx c;
  Init(&c);
  Update(&c, data, len);
  Final(&c, out);
}

void HtHmacSha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32])
{
  uint8_t   k0[64], ipad[64], opad[64], inner[32];
  Sha256Ctx c;
  memset(k0, 0, sizeof(k0));
  if (klen > 64) HtSha256(key, klen, k0); /* long keys are hashed first */
  else if (klen) memcpy(k0, key, klen);
  for (int q = 0; q < 64; q++) {
    ipad[q] = k0[q] ^ 0x36;
    opad[q] = k0[q] ^ 0x5c;
  }
  Init(&c);
  Update(&c, ipad, 64);
  Update(&c, msg, mlen);
  Final(&c, inner);
  Init(&c);
  Update(&c, opad, 64);
  Update(&c, inner, 32);
  Final(&c, out);
}
