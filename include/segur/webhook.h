/*
 * webhook.h: Standard Webhooks signatures (https://www.standardwebhooks.com).
 *
 * A sender signs "<webhook-id>.<webhook-timestamp>.<body>" with HMAC-SHA256
 * over a shared secret and sends "v1,<base64 of the MAC>" in the
 * webhook-signature header; a receiver recomputes it. Pure crypto through
 * OpenSSL 3 (HMAC(), EVP base64, CRYPTO_memcmp): no I/O, no clock.
 *
 * Secrets are written as Standard Webhooks writes them, "whsec_" followed
 * by the standard base64 of 24 to 64 random bytes; the bare base64 is
 * accepted too, as some providers show it without the prefix. Surrounding
 * white space (a newline at the end of a credentials file) is ignored.
 */
#ifndef SEGUR_WEBHOOK_H
#define SEGUR_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define SEGUR_WEBHOOK_KEY_MIN	24	/* bytes, as the convention asks */
#define SEGUR_WEBHOOK_KEY_MAX	64
/* "v1," + base64 of 32 bytes (44) + NUL. */
#define SEGUR_WEBHOOK_SIG_LEN	48

/*
 * Decodes a secret ("whsec_<base64>" or "<base64>") into key[], which must
 * hold SEGUR_WEBHOOK_KEY_MAX bytes; *keylen gets the length. Returns 0 or
 * SEGUR_EINVAL with a cause that never quotes the secret.
 */
int	segur_webhook_secret_decode(const char *secret,
	    unsigned char key[SEGUR_WEBHOOK_KEY_MAX], size_t *keylen,
	    char **cause);

/*
 * Writes "v1,<base64 HMAC-SHA256(key, id "." timestamp "." body)>" into
 * sig (NUL-terminated). timestamp is in unix seconds. Returns 0, or
 * SEGUR_EINVAL when id contains a '.', SEGUR_ENOMEM.
 */
int	segur_webhook_sign(const unsigned char *key, size_t keylen,
	    const char *id, int64_t timestamp, const void *body, size_t len,
	    char sig[SEGUR_WEBHOOK_SIG_LEN]);

/*
 * Checks a received webhook-signature header (one or more space-separated
 * "<version>,<base64>" entries, of which only "v1" ones count) against the
 * body, in constant time per entry. The timestamp must be within
 * tolerance seconds of now (the convention suggests 300) so that a
 * captured delivery cannot be replayed later. Returns 0 when one entry
 * matches, SEGUR_EINVAL otherwise (with a cause), SEGUR_ENOMEM.
 */
int	segur_webhook_verify(const unsigned char *key, size_t keylen,
	    const char *id, int64_t timestamp, const void *body, size_t len,
	    const char *header, int64_t now, int64_t tolerance, char **cause);

#endif /* SEGUR_WEBHOOK_H */
