/*
 * term_script.c - word splitting, numbers and key names of event scripts.
 */
#include "term_script.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int term_script_split(char *line, char **argv, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') break;
        if (*p == '"') {
            argv[n++] = ++p;
            while (*p && *p != '"') p++;
        } else {
            argv[n++] = p;
            while (*p && !isspace((unsigned char)*p)) p++;
        }
        if (*p) *p++ = '\0';
    }
    return n;
}

int term_script_u64(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || !end || *end || text[0] == '-' || text[0] == '\0') return -1;
    *out = v;
    return 0;
}

int term_script_key(const char *name, term_key *out)
{
    static const struct {
        const char *name;
        term_key key;
    } names[] = {{"OK", TERM_KEY_OK},     {"M", TERM_KEY_OK},      {"ESC", TERM_KEY_ESC},    {"UP", TERM_KEY_UP},
                 {"DOWN", TERM_KEY_DOWN}, {"LEFT", TERM_KEY_LEFT}, {"RIGHT", TERM_KEY_RIGHT}};
    if (strlen(name) == 1 && isdigit((unsigned char)name[0])) {
        *out = (term_key)(TERM_KEY_0 + (name[0] - '0'));
        return 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].key;
            return 0;
        }
    return -1;
}
