/*
 * helper-json.c: see helper-json.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper-json.h"
#include "segur/util.h"

char *
helper_read_data(const char *name, size_t *len)
{
	const char	*dir = getenv("SEGUR_TEST_DATA");
	char		 path[4096], *buf = NULL, *cause = NULL;
	size_t		 n = 0;

	if (dir == NULL)
		fail_msg("SEGUR_TEST_DATA is not set (run through ctest)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (segur_read_file(path, 64u << 20, &buf, &n, &cause) != 0)
		fail_msg("cannot read %s: %s", path, cause);
	if (len != NULL)
		*len = n;
	return (buf);
}

/*
 * Walks path from root; *parent and *last receive the container and the
 * last segment (key, or index when *key is NULL). Returns the node or NULL.
 */
static cJSON *
walk(cJSON *root, const char *path, cJSON **parent, char *key, size_t keysz,
    int *isidx, long *idx)
{
	cJSON		*cur = root, *up = NULL;
	const char	*p = path;
	size_t		 n;

	key[0] = '\0';
	*isidx = 0;
	while (*p != '\0') {
		up = cur;
		if (*p == '[') {
			*idx = strtol(p + 1, (char **)&p, 10);
			if (*p++ != ']')
				return (NULL);
			*isidx = 1;
			cur = cur != NULL ? cJSON_GetArrayItem(cur,
			    (int)*idx) : NULL;
		} else {
			if (*p == '.')
				p++;
			n = strcspn(p, ".[");
			if (n >= keysz)
				return (NULL);
			memcpy(key, p, n);
			key[n] = '\0';
			p += n;
			*isidx = 0;
			cur = cur != NULL ? cJSON_GetObjectItemCaseSensitive(cur,
			    key) : NULL;
		}
		if (cur == NULL && *p != '\0')
			return (NULL);
	}
	*parent = up;
	return (cur);
}

cJSON *
helper_json_at(cJSON *root, const char *path)
{
	cJSON	*parent;
	char	 key[4096];
	int	 isidx;
	long	 idx;

	return (walk(root, path, &parent, key, sizeof(key), &isidx, &idx));
}

int
helper_json_edit(cJSON *root, const char *edit)
{
	cJSON		*node, *parent = NULL, *raw;
	const char	*eq;
	char		 path[8192], key[4096];
	size_t		 n;
	int		 isidx, add = 0;
	long		 idx = 0;

	if (edit[0] == '-') {
		node = walk(root, edit + 1, &parent, key, sizeof(key), &isidx,
		    &idx);
		if (node == NULL || parent == NULL)
			return (-1);
		cJSON_Delete(cJSON_DetachItemViaPointer(parent, node));
		return (0);
	}
	if ((eq = strchr(edit, '=')) == NULL)
		return (-1);
	n = (size_t)(eq - edit);
	if (n > 0 && edit[n - 1] == '+') {
		add = 1;
		n--;
	}
	if (n >= sizeof(path))
		return (-1);
	memcpy(path, edit, n);
	path[n] = '\0';
	node = walk(root, path, &parent, key, sizeof(key), &isidx, &idx);
	if (parent == NULL || (raw = cJSON_CreateRaw(eq + 1)) == NULL)
		return (-1);
	if (add || node == NULL) {
		if (isidx || !cJSON_IsObject(parent)) {
			cJSON_Delete(raw);
			return (-1);
		}
		cJSON_AddItemToObject(parent, key, raw);
		return (0);
	}
	if (!(isidx ? cJSON_ReplaceItemViaPointer(parent, node, raw) :
	    cJSON_ReplaceItemInObjectCaseSensitive(parent, key, raw))) {
		cJSON_Delete(raw);
		return (-1);
	}
	return (0);
}

char *
helper_json_mutate(const char *json, const char *const *edits)
{
	cJSON	*root;
	char	*out;
	size_t	 i;

	if ((root = cJSON_Parse(json)) == NULL)
		fail_msg("helper_json_mutate: the base JSON does not parse");
	for (i = 0; edits != NULL && edits[i] != NULL; i++)
		if (helper_json_edit(root, edits[i]) != 0) {
			cJSON_Delete(root);
			fail_msg("helper_json_mutate: bad edit '%s'", edits[i]);
		}
	out = cJSON_Print(root);
	cJSON_Delete(root);
	if (out == NULL)
		fail_msg("helper_json_mutate: out of memory");
	return (out);
}
