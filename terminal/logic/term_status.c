#include "term_status.h"

const char *term_status_message(term_status status)
{
    switch (status) {
#define TERM_STATUS_MSG_(name, num, msg)                                                                               \
    case TERM_##name:                                                                                                  \
        return msg;
        TERM_STATUS_MAP(TERM_STATUS_MSG_)
#undef TERM_STATUS_MSG_
    }
    return "unknown status";
}

const char *term_status_name(term_status status)
{
    switch (status) {
#define TERM_STATUS_NAME_(name, num, msg)                                                                              \
    case TERM_##name:                                                                                                  \
        return "TERM_" #name;
        TERM_STATUS_MAP(TERM_STATUS_NAME_)
#undef TERM_STATUS_NAME_
    }
    return "TERM_UNKNOWN";
}
