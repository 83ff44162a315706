/*
 * webhook-sign.c: Standard Webhooks signing and verification.
 *
 * The signed content is id "." timestamp "." body, the MAC HMAC-SHA256,
 * the header "v1," followed by the MAC in standard base64 with padding.
 * Only OpenSSL 3's one-shot HMAC() and EVP base64 are used: the
 * HMAC_CTX_* interfaces are deprecated there.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "segur/error.h"
#include "segur/util.h"
#include "segur/webhook.h"

#define WHSEC_PREFIX	"whsec_"

/* True when s[0..n) is standard base64 with correct padding. */
static int
is_base64(const char *s, size_t n)
{
	size_t	i, pad = 0;

	if (n == 0 || n % 4 != 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0)
			return 0;	/* data after padding */
		if (!isalnum(c) && c != '+' && c != '/')
			return 0;
	}
	return pad <= 2;
}

int
segur_webhook_secret_decode(const char *secret,
    unsigned char key[SEGUR_WEBHOOK_KEY_MAX], size_t *keylen, char **cause)
{
	unsigned char	 buf[(SEGUR_WEBHOOK_KEY_MAX / 3 + 2) * 3];
	const char	*s = secret;
	size_t		 n, pad;
	int		 got;

	if (s == NULL)
		return segur_cause(cause, SEGUR_EINVAL, "aucun secret de "
		    "webhook");
	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0)
		s += strlen(WHSEC_PREFIX);
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (!is_base64(s, n))
		return segur_cause(cause, SEGUR_EINVAL, "le secret de webhook "
		    "n'est pas « whsec_ » suivi de base64 standard");
	/* Checked before decoding so that buf cannot overflow. */
	if (n / 4 * 3 > sizeof(buf))
		return segur_cause(cause, SEGUR_EINVAL, "secret de webhook "
		    "de plus de %d octets", SEGUR_WEBHOOK_KEY_MAX);
	got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (got < 0)
		return segur_cause(cause, SEGUR_EINVAL, "le secret de webhook "
		    "n'est pas du base64 valide");
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	n = (size_t)got - pad;
	if (n < SEGUR_WEBHOOK_KEY_MIN || n > SEGUR_WEBHOOK_KEY_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return segur_cause(cause, SEGUR_EINVAL, "le secret de webhook "
		    "fait %zu octets une fois décodé ; il en faut de %d à %d",
		    n, SEGUR_WEBHOOK_KEY_MIN, SEGUR_WEBHOOK_KEY_MAX);
	}
	memcpy(key, buf, n);
	*keylen = n;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int
segur_webhook_sign(const unsigned char *key, size_t keylen, const char *id,
    int64_t timestamp, const void *body, size_t len,
    char sig[SEGUR_WEBHOOK_SIG_LEN])
{
	struct segur_buf b = SEGUR_BUF_INIT;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	int		 rc;

	/* A '.' in the id would make the signed content ambiguous. */
	if (strchr(id, '.') != NULL || keylen > INT32_MAX)
		return SEGUR_EINVAL;
	if ((rc = segur_buf_addf(&b, "%s.%" PRId64 ".", id, timestamp)) != 0 ||
	    (rc = segur_buf_add(&b, body, len)) != 0) {
		segur_buf_release(&b);
		return rc;
	}
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)b.data,
	    b.len, mac, &maclen) == NULL || maclen != 32) {
		segur_buf_release(&b);
		return SEGUR_ENOMEM;
	}
	segur_buf_release(&b);
	sig[0] = 'v';
	sig[1] = '1';
	sig[2] = ',';
	EVP_EncodeBlock((unsigned char *)sig + 3, mac, (int)maclen);
	return 0;
}

int
segur_webhook_verify(const unsigned char *key, size_t keylen, const char *id,
    int64_t timestamp, const void *body, size_t len, const char *header,
    int64_t now, int64_t tolerance, char **cause)
{
	char		 want[SEGUR_WEBHOOK_SIG_LEN];
	size_t		 wantlen;
	const char	*p, *end;
	int		 rc, match = 0;

	if (timestamp < now - tolerance || timestamp > now + tolerance)
		return segur_cause(cause, SEGUR_EINVAL, "horodatage de webhook "
		    "%" PRId64 " à plus de %" PRId64 " s de l'heure actuelle",
		    timestamp, tolerance);
	if ((rc = segur_webhook_sign(key, keylen, id, timestamp, body, len,
	    want)) != 0)
		return segur_cause(cause, rc, "impossible de calculer la "
		    "signature");
	wantlen = strlen(want);
	/* Every entry is compared, so that timing tells nothing. */
	for (p = header; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, " ");
		if ((size_t)(end - p) == wantlen &&
		    CRYPTO_memcmp(p, want, wantlen) == 0)
			match = 1;
	}
	OPENSSL_cleanse(want, sizeof(want));
	if (!match)
		return segur_cause(cause, SEGUR_EINVAL, "aucune signature v1 "
		    "de l'en-tête webhook-signature ne correspond");
	return 0;
}
