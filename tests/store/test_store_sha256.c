/* SHA-256 against FIPS 180-2 (appendix B) vectors and HMAC-SHA256 against RFC 4231 test cases. */
#include "httest.h"
#include <htstore.h>

static void ToHex(const uint8_t *h, char *out)
{
  for (int q = 0; q < 32; q++) sprintf(out + 2 * q, "%02x", h[q]);
}

static void CheckSha(const void *d, size_t n, const char *expect, const char *what)
{
  uint8_t h[32];
  char    hex[65];
  HtSha256(d, n, h);
  ToHex(h, hex);
  printf("SHA-256 %-28s %s\n", what, hex);
  HT_CHECK(!strcmp(hex, expect), "SHA-256 %s: got %s expected %s", what, hex, expect);
}

static void CheckHmac(const void *k, size_t kl, const void *d, size_t dl, const char *expect, const char *what)
{
  uint8_t h[32];
  char    hex[65];
  HtHmacSha256(k, kl, d, dl, h);
  ToHex(h, hex);
  printf("HMAC    %-28s %s\n", what, hex);
  HT_CHECK(!strcmp(hex, expect), "HMAC %s: got %s expected %s", what, hex, expect);
}

static PetscErrorCode Body(void)
{
  uint8_t k[131], d[160];
  PetscFunctionBeginUser;
  CheckSha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "\"abc\"");
  CheckSha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
  const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CheckSha(m2, strlen(m2), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448-bit message");
  char *ma = (char *)malloc(1000000);
  memset(ma, 'a', 1000000);
  CheckSha(ma, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "one million 'a'");
  free(ma);

  memset(k, 0x0b, 20);
  CheckHmac(k, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
  CheckHmac("Jefe", 4, "what do ya want for nothing?", 28, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "RFC 4231 case 2");
  memset(k, 0xaa, 20);
  memset(d, 0xdd, 50);
  CheckHmac(k, 20, d, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", "RFC 4231 case 3");
  for (int q = 0; q < 25; q++) k[q] = (uint8_t)(q + 1);
  memset(d, 0xcd, 50);
  CheckHmac(k, 25, d, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", "RFC 4231 case 4");
  memset(k, 0xaa, 131);
  const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  CheckHmac(k, 131, m6, strlen(m6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "RFC 4231 case 6");
  const char *m7 = "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";
  CheckHmac(k, 131, m7, strlen(m7), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", "RFC 4231 case 7");
  PetscFunctionReturn(0);
}
HT_TEST_MAIN(Body)
