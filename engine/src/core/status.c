#include "fp/fp.h"

const char *fp_status_message(fp_status status)
{
    switch (status) {
#define FP_STATUS_MSG_(name, num, msg) \
    case FP_##name:                    \
        return msg;
        FP_STATUS_MAP(FP_STATUS_MSG_)
#undef FP_STATUS_MSG_
    }
    return "unknown status code";
}

const char *fp_status_name(fp_status status)
{
    switch (status) {
#define FP_STATUS_NAME_(name, num, msg) \
    case FP_##name:                     \
        return "FP_" #name;
        FP_STATUS_MAP(FP_STATUS_NAME_)
#undef FP_STATUS_NAME_
    }
    return "FP_UNKNOWN";
}

int fp_status_is_retry(fp_status status)
{
    return status >= 100 && status < 200;
}
