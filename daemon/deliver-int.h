/*
 * deliver-int.h: what deliver.c (the engine: curl multi on libuv,
 * retries, shutdown) and deliver-channel.c (what each channel sends and
 * how its answers read) share. Not for the rest of the daemon.
 */
#ifndef SEGURD_DELIVER_INT_H
#define SEGURD_DELIVER_INT_H

#include <curl/curl.h>
#include <uv.h>

#include "deliver.h"
#include "segur/webhook.h"

/* What the engine does after an attempt. */
enum {
	JOB_RETRY = -1		/* a temporary failure: try again later */
	/* or a final SEGURD_DELIVER_* status */
};

/*
 * One submission: an alert for one channel, from submit() to its single
 * callback. Owns copies of everything it sends, so that the caller's
 * alert and configuration can go away meanwhile.
 */
struct segurd_job {
	struct segurd_job	*prev, *next;	/* d->jobs */
	struct segurd_job	*wnext;		/* d->waiting, FIFO */
	int			 waiting;	/* in d->waiting */
	struct segurd_deliver	*d;
	uv_timer_t		 retry;		/* data = this job; waits
						   between attempts */
	CURL			*easy;		/* the attempt in flight, or
						   NULL */
	struct curl_slist	*headers;	/* this attempt's headers */
	struct curl_slist	*rcpts;		/* mail: this attempt's RCPT
						   TO list, from to */

	int			 type;		/* SEGURD_CHANNEL_* */
	char			*alert_id;
	char			*channel;
	char			*url;
	char			*cainfo;	/* or NULL */
	char			*payload;	/* JSON body or RFC 5322 mail */
	size_t			 payloadlen;
	size_t			 readoff;	/* mail upload position */
	unsigned char		 key[SEGUR_WEBHOOK_KEY_MAX];
	size_t			 keylen;	/* 0: unsigned */
	char			*mail_from;	/* "<a@b>" */
	char			**to;		/* mail: "<a@b>" each; libcurl
						   may not be loaded yet at
						   prepare() */
	size_t			 nto;
	char			*username;
	char			*password;	/* wiped before free */
	int			 starttls;

	uint64_t		 started;	/* uv_now() at submit */
	unsigned		 attempts;
	long			 code;		/* last HTTP/SMTP code */
	char			*reason;	/* last failure, or NULL */
	segurd_deliver_cb	*cb;
	void			*cb_arg;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 reply[160];	/* start of the response body */
	size_t			 replylen;
};

/* Copies ch and renders alert into j; 0 or SEGUR_E* with a cause. */
int	segurd__job_prepare(struct segurd_job *j,
	    const struct segurd_channel *ch, const struct segur_alert *alert,
	    char **cause);

/*
 * A fresh easy handle for the next attempt of j (signature with the
 * current time, reset upload). Returns NULL with j->reason set on
 * failure.
 */
CURL	*segurd__job_easy(struct segurd_job *j, uint64_t timeout_ms);

/*
 * Reads the end of an attempt: SEGURD_DELIVER_OK, _DISABLED, _FAILED
 * (permanent) or JOB_RETRY, with j->code and j->reason updated.
 */
int	segurd__job_classify(struct segurd_job *j, CURLcode rc);

/* Frees what j owns (not j). */
void	segurd__job_release(struct segurd_job *j);

#endif /* SEGURD_DELIVER_INT_H */
