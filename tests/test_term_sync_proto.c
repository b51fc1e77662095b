/* Unit tests of the PUSH protocol module (terminal/sync/push_proto.h): pure parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "push_proto.h"

#define PARSE_OPT(body, o, why) push_options_parse((body), strlen(body), "SN1", (o), (why), sizeof(why))

static void options_full(void **state)
{
    (void)state;
    const char *body = "GET OPTION FROM: SN1\nATTLOGStamp=None\nOPERLOGStamp=9999\nATTPHOTOStamp=None\n"
                       "ErrorDelay=60\nDelay=5\nTransTimes=00: 00;14: 05\nTransInterval=2\n"
                       "TransFlag=TransData AttLog\tOpLog\tEnrollUser ChgFP\nTimeZone=8\nRealtime=0\nEncrypt=None\n"
                       "ServerVer=2.4.1 2020\nPushProtVer=2.4.1\nUnknownKey=whatever\n";
    push_options o;
    char why[256];
    assert_int_equal(PARSE_OPT(body, &o, why), PUSH_OK);
    assert_int_equal(o.bare_ok, 0);
    assert_string_equal(o.att_stamp, "0");
    assert_string_equal(o.op_stamp, "9999");
    assert_int_equal(o.error_delay_s, 60);
    assert_int_equal(o.delay_s, 5);
    assert_int_equal(o.n_trans_times, 2);
    assert_int_equal(o.trans_times[0], 0);
    assert_int_equal(o.trans_times[1], 14 * 60 + 5);
    assert_int_equal(o.trans_interval_min, 2);
    assert_int_equal(o.trans_flags, PUSH_TRANS_ATTLOG | PUSH_TRANS_OPLOG | PUSH_TRANS_ENROLL_USER | PUSH_TRANS_CHG_FP);
    assert_int_equal(o.timezone_min, 480);
    assert_int_equal(o.realtime, 0);
    assert_int_equal(o.encrypt, 0);
    assert_string_equal(o.push_prot_ver, "2.4.1");
    assert_int_equal(o.adjusted, 0);
}

static void options_transflag_digits(void **state)
{
    (void)state;
    push_options o;
    char why[256];
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTransFlag=1100101\n", &o, why), PUSH_OK);
    assert_int_equal(o.trans_flags,
                     PUSH_TRANS_ATTLOG | PUSH_TRANS_OPLOG | PUSH_TRANS_ENROLL_USER | PUSH_TRANS_CHG_USER);
    /* All zeros in the digit form: only attendance photos (which this device has none of). */
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTransFlag=0000000000\n", &o, why), PUSH_OK);
    assert_int_equal(o.trans_flags, PUSH_TRANS_ATTPHOTO);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTransFlag=11x1\n", &o, why), PUSH_ADJUSTED);
    assert_int_equal(o.trans_flags, PUSH_TRANS_DEFAULT);
    assert_true(o.adjusted & PUSH_OPT_TRANS_FLAG);
}

static void options_timezone(void **state)
{
    (void)state;
    push_options o;
    char why[256];
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=-5\n", &o, why), PUSH_OK);
    assert_int_equal(o.timezone_min, -300);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=330\n", &o, why), PUSH_OK);
    assert_int_equal(o.timezone_min, 330);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=-570\n", &o, why), PUSH_OK);
    assert_int_equal(o.timezone_min, -570);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=60\n", &o, why), PUSH_ADJUSTED); /* 60 hours */
    assert_int_equal(o.timezone_min, 840);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=5000\n", &o, why), PUSH_ADJUSTED);
    assert_int_equal(o.timezone_min, 840);
    assert_non_null(strstr(why, "TimeZone"));
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTimeZone=east\n", &o, why), PUSH_ADJUSTED);
    assert_int_equal(o.timezone_min, 0);
}

static void options_clamping(void **state)
{
    (void)state;
    push_options o;
    char why[256];
    assert_int_equal(
        PARSE_OPT("GET OPTION FROM: SN1\nErrorDelay=1\nDelay=1000\nTransInterval=99999\nRealtime=7\n", &o, why),
        PUSH_ADJUSTED);
    assert_int_equal(o.error_delay_s, PUSH_ERROR_DELAY_MIN);
    assert_int_equal(o.delay_s, PUSH_DELAY_MAX);
    assert_int_equal(o.trans_interval_min, PUSH_TRANS_INTERVAL_MAX);
    assert_int_equal(o.realtime, 1);
    assert_int_equal(o.adjusted, PUSH_OPT_ERROR_DELAY | PUSH_OPT_DELAY | PUSH_OPT_TRANS_INTERVAL | PUSH_OPT_REALTIME);
    assert_non_null(strstr(why, "ErrorDelay=1 outside 30..300, clamped to 30"));
    assert_non_null(strstr(why, "Delay=1000"));
    /* TransTimes: bad entries dropped, more than 10 truncated. */
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nTransTimes=25:00;01:00;x\n", &o, why), PUSH_ADJUSTED);
    assert_int_equal(o.n_trans_times, 1);
    assert_int_equal(o.trans_times[0], 60);
    assert_int_equal(
        PARSE_OPT("GET OPTION FROM: SN1\nTransTimes=0:1;0:2;0:3;0:4;0:5;0:6;0:7;0:8;0:9;0:10;0:11;0:12\n", &o, why),
        PUSH_ADJUSTED);
    assert_int_equal(o.n_trans_times, 10);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nATTLOGStamp=12;DROP\nEncrypt=1\n", &o, why), PUSH_ADJUSTED);
    assert_string_equal(o.att_stamp, "0");
    assert_int_equal(o.encrypt, 1);
}

static void options_bare_ok_and_errors(void **state)
{
    (void)state;
    push_options o;
    char why[256];
    assert_int_equal(PARSE_OPT(" OK\r\n", &o, why), PUSH_OK);
    assert_int_equal(o.bare_ok, 1);
    assert_int_equal(o.delay_s, 10);
    assert_int_equal(o.error_delay_s, 30);
    assert_int_equal(o.realtime, 1);
    assert_int_equal(PARSE_OPT("", &o, why), PUSH_ERR_BAD_OPTIONS);
    assert_int_equal(PARSE_OPT("<html>502 Bad Gateway</html>", &o, why), PUSH_ERR_BAD_OPTIONS);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: OTHER\nDelay=5\n", &o, why), PUSH_ERR_SN_MISMATCH);
    assert_int_equal(o.delay_s, 10); /* defaults on error */
    /* CRLF line ends are fine. */
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\r\nDelay=3\r\n", &o, why), PUSH_OK);
    assert_int_equal(o.delay_s, 3);
}

/* The unified-template and options-push keys of the registration answer. */
static void options_biodata_and_push(void **state)
{
    (void)state;
    push_options o;
    char why[256];
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nMultiBioDataSupport=0: 1: 0:0:0:0:0:0:0:1\nPushOptionsFlag=1\n"
                               "PushOptions=FingerFunOn, ~DeviceName,MultiBioDataCount\nBIODATAStamp=42\n",
                               &o, why),
                     PUSH_OK);
    assert_int_equal(o.bio_data_support, (1u << PUSH_BIO_FINGER) | (1u << 9));
    assert_int_equal(o.push_options_flag, 1);
    assert_string_equal(o.push_options, "FingerFunOn,~DeviceName,MultiBioDataCount");
    assert_string_equal(o.bio_stamp, "42");
    /* Absent: no unified templates, no push, stamp 0. */
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nDelay=5\n", &o, why), PUSH_OK);
    assert_int_equal(o.bio_data_support, 0);
    assert_int_equal(o.push_options_flag, 0);
    assert_string_equal(o.push_options, "");
    assert_string_equal(o.bio_stamp, "0");
    /* Malformed: ignored, said so, the handshake goes on. */
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nMultiBioDataSupport=0:2:0\n", &o, why), PUSH_ADJUSTED);
    assert_int_equal(o.bio_data_support, 0);
    assert_true(o.adjusted & PUSH_OPT_MULTI_BIO);
    assert_non_null(strstr(why, "MultiBioDataSupport"));
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nMultiBioDataSupport=0:1:0:0:0:0:0:0:0:0:1\n", &o, why),
                     PUSH_ADJUSTED);
    assert_int_equal(PARSE_OPT("GET OPTION FROM: SN1\nPushOptionsFlag=yes\nPushOptions=a=b,c\n", &o, why),
                     PUSH_ADJUSTED);
    assert_int_equal(o.push_options_flag, 0);
    assert_string_equal(o.push_options, "");
    assert_true(o.adjusted & PUSH_OPT_PUSH_OPTIONS);
}

static void command_lines(void **state)
{
    (void)state;
    push_cmd_line cl;
    const char *l1 = "C:123:DATA UPDATE USERINFO PIN=1\r";
    assert_int_equal(push_cmd_line_parse(l1, strlen(l1), &cl), PUSH_OK);
    assert_string_equal(cl.id, "123");
    assert_int_equal(cl.text_len, strlen("DATA UPDATE USERINFO PIN=1"));
    assert_memory_equal(cl.text, "DATA UPDATE USERINFO PIN=1", cl.text_len);
    const char *l2 = "C: abcDEF0123456789: INFO";
    assert_int_equal(push_cmd_line_parse(l2, strlen(l2), &cl), PUSH_OK);
    assert_string_equal(cl.id, "abcDEF0123456789");
    const char *bad[] = {"C:12345678901234567:INFO", "C::INFO", "C:1-2:INFO", "X:1:INFO", "C:12 INFO", "C:1:", ""};
    const push_status want[] = {PUSH_ERR_BAD_COMMAND_ID, PUSH_ERR_BAD_COMMAND_ID, PUSH_ERR_BAD_COMMAND_ID,
                                PUSH_ERR_BAD_COMMAND,    PUSH_ERR_BAD_COMMAND,    PUSH_ERR_BAD_COMMAND,
                                PUSH_ERR_BAD_COMMAND};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(push_cmd_line_parse(bad[i], strlen(bad[i]), &cl), want[i]);
}

#define CMD(text, c, why) push_cmd_parse((text), strlen(text), (c), (why), sizeof(why))

static void command_userinfo(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=36234\tName=Ann Lee\tPri=14\tPasswd=1234\tCard=[15CD5B07]\tGrp=1\t"
                         "TZ=0000000000000000\tVerify=0\tViceCard=",
                         &c, why),
                     PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_UPDATE_USER);
    assert_string_equal(c.reply_cmd, "DATA");
    assert_string_equal(c.pin, "36234");
    assert_string_equal(c.name, "Ann Lee");
    assert_int_equal(c.privilege, 1);
    assert_string_equal(c.passwd, "1234");
    assert_int_equal(c.card, 123456789);
    assert_int_equal(c.has, PUSH_HAS_NAME | PUSH_HAS_PRI | PUSH_HAS_PASSWD | PUSH_HAS_CARD);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=7\tCard=123456789", &c, why), PUSH_OK);
    assert_int_equal(c.card, 123456789);
    assert_int_equal(c.has, PUSH_HAS_CARD);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=7\tPasswd=", &c, why), PUSH_OK); /* removes the password */
    assert_int_equal(c.has, PUSH_HAS_PASSWD);
    assert_string_equal(c.passwd, "");
    assert_int_equal(CMD("DATA UPDATE USERINFO Name=x", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(c.error_ret, -1);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1\tPri=3", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1\tPasswd=12345678901234567", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1\tCard=[15CD5B0G]", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1\tCard=99999999999999999999999", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1;rm", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE USERINFO PIN=1234567890123456789012345", &c, why), PUSH_ERR_BAD_PARAMETER);
}

static void command_fingertmp(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(CMD("DATA UPDATE FINGERTMP PIN=2\tFID=3\tSize=8\tValid=1\tTMP=QUJDREVG", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_UPDATE_FP);
    assert_int_equal(c.fid, 3);
    assert_int_equal(c.tmp_len, 8);
    assert_memory_equal(c.tmp, "QUJDREVG", 8);
    /* Upper-case keys as some servers send them. */
    assert_int_equal(CMD("DATA UPDATE FINGERTMP PIN=2\tFID=0\tSIZE=4\tVALID=3\tTMP=QUJD", &c, why), PUSH_OK);
    assert_int_equal(c.valid, 3);
    assert_int_equal(CMD("DATA UPDATE FINGERTMP PIN=2\tFID=0\tSize=9\tTMP=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(c.error_ret, PUSH_RET_TEMPLATE_SIZE);
    assert_int_equal(CMD("DATA UPDATE FINGERTMP PIN=2\tFID=10\tTMP=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE FINGERTMP PIN=2\tFID=1", &c, why), PUSH_ERR_BAD_PARAMETER);
    static char huge[PUSH_TMP_B64_MAX + 64];
    int n = snprintf(huge, sizeof(huge), "DATA UPDATE FINGERTMP PIN=2\tFID=1\tTMP=");
    memset(huge + n, 'A', PUSH_TMP_B64_MAX + 4);
    huge[n + PUSH_TMP_B64_MAX + 4] = '\0';
    assert_int_equal(CMD(huge, &c, why), PUSH_ERR_TOO_LONG);
    assert_int_equal(c.error_ret, PUSH_RET_TOO_LONG);
}

/* DATA UPDATE / DELETE / QUERY BIODATA, QUERY FINGERTMP, CLEAR BIODATA. */
static void command_biodata(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=306\tNo=6\tIndex=0\tValid=1\tDuress=1\tType=1\tMajorVer=12\t"
                         "MinorVer=0\tFormat=1\tTmp=QUJDREVG",
                         &c, why),
                     PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_UPDATE_BIO);
    assert_string_equal(c.reply_cmd, "DATA");
    assert_string_equal(c.pin, "306");
    assert_int_equal(c.fid, 6);
    assert_int_equal(c.bio_index, 0);
    assert_int_equal(c.valid, 1);
    assert_int_equal(c.duress, 1);
    assert_int_equal(c.bio_type, PUSH_BIO_FINGER);
    assert_int_equal(c.major_ver, 12);
    assert_int_equal(c.bio_format, PUSH_BIO_FORMAT_ISO);
    assert_int_equal(c.tmp_len, 8);
    /* Defaults: No 0, Index 0, Valid 1, Duress 0, Format 0 (ZK) */
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=1\tTmp=QUJD", &c, why), PUSH_OK);
    assert_int_equal(c.fid, 0);
    assert_int_equal(c.valid, 1);
    assert_int_equal(c.duress, 0);
    assert_int_equal(c.bio_format, PUSH_BIO_FORMAT_ZK);
    /* Type is required; every number has its range; Tmp is required and bounded */
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(c.error_ret, -1);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=10\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=1\tNo=10\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=1\tValid=2\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=1\tMajorVer=x\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=1\tType=1", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA UPDATE BIODATA Pin=a-b\tType=1\tTmp=QUJD", &c, why), PUSH_ERR_BAD_PARAMETER);
    static char huge[PUSH_TMP_B64_MAX + 64];
    int n = snprintf(huge, sizeof(huge), "DATA UPDATE BIODATA Pin=2\tType=1\tTmp=");
    memset(huge + n, 'A', PUSH_TMP_B64_MAX + 4);
    huge[n + PUSH_TMP_B64_MAX + 4] = '\0';
    assert_int_equal(CMD(huge, &c, why), PUSH_ERR_TOO_LONG);
    assert_int_equal(c.error_ret, PUSH_RET_TOO_LONG);

    assert_int_equal(CMD("DATA DELETE BIODATA Pin=5", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_DELETE_BIO);
    assert_int_equal(c.has & (PUSH_HAS_TYPE | PUSH_HAS_FID), 0);
    assert_int_equal(CMD("DATA DELETE BIODATA Pin=5\tType=1\tNo=3", &c, why), PUSH_OK);
    assert_int_equal(c.has & (PUSH_HAS_TYPE | PUSH_HAS_FID), PUSH_HAS_TYPE | PUSH_HAS_FID);
    assert_int_equal(c.bio_type, 1);
    assert_int_equal(c.fid, 3);
    assert_int_equal(CMD("DATA DELETE BIODATA Type=1", &c, why), PUSH_ERR_BAD_PARAMETER);

    assert_int_equal(CMD("DATA QUERY BIODATA Type=1", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_QUERY_BIO);
    assert_int_equal(c.has & PUSH_HAS_PIN, 0);
    assert_int_equal(CMD("DATA QUERY BIODATA Type=1\tPIN=7\t No=2", &c, why), PUSH_OK);
    assert_int_equal(c.has & (PUSH_HAS_PIN | PUSH_HAS_FID), PUSH_HAS_PIN | PUSH_HAS_FID);
    assert_string_equal(c.pin, "7");
    assert_int_equal(c.fid, 2);
    assert_int_equal(CMD("DATA QUERY BIODATA PIN=7", &c, why), PUSH_ERR_BAD_PARAMETER);

    assert_int_equal(CMD("DATA QUERY FINGERTMP PIN=7\tFingerID=4", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_QUERY_FP);
    assert_int_equal(c.fid, 4);
    assert_int_equal(CMD("DATA QUERY FINGERTMP PIN=7\tFID=5", &c, why), PUSH_OK);
    assert_int_equal(c.fid, 5);
    assert_int_equal(CMD("DATA QUERY FINGERTMP PIN=7", &c, why), PUSH_OK);
    assert_int_equal(c.has & PUSH_HAS_FID, 0);
    assert_int_equal(CMD("DATA QUERY FINGERTMP PIN=7\tFingerID=11", &c, why), PUSH_ERR_BAD_PARAMETER);

    assert_int_equal(CMD("CLEAR BIODATA", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_CLEAR_BIO);
    assert_string_equal(c.reply_cmd, "CLEAR_BIODATA");
}

/* VERIFY SUM: the answer names CMD=VERIFY SUM, also when refused. */
static void command_verify_sum(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(CMD("VERIFY SUM ATTLOG StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23:59:59", &c, why),
                     PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_VERIFY_SUM);
    assert_string_equal(c.reply_cmd, "VERIFY SUM");
    assert_int_equal(c.start, 1438128000);
    assert_int_equal(c.end, 1438128000 + 86399);
    assert_int_equal(CMD("VERIFY SUM ATTLOG StartTime=2015-07-29 00:00:00", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_string_equal(c.reply_cmd, "VERIFY SUM");
    assert_int_equal(c.error_ret, -1);
    assert_int_equal(CMD("VERIFY SUM OPLOG StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23:59:59", &c, why),
                     PUSH_ERR_UNSUPPORTED);
    assert_string_equal(c.reply_cmd, "VERIFY SUM");
    assert_int_equal(c.error_ret, PUSH_RET_NOT_SUPPORTED);
    assert_int_equal(CMD("VERIFY SOMETHING", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_string_equal(c.reply_cmd, "VERIFY");
}

static void command_others(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(CMD("DATA DELETE USERINFO PIN=9", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_DELETE_USER);
    assert_string_equal(c.pin, "9");
    assert_int_equal(CMD("DATA QUERY ATTLOG StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23: 59: 59", &c, why),
                     PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_QUERY_ATTLOG);
    assert_int_equal(c.start, 1438128000);
    assert_int_equal(c.end, 1438128000 + 86399);
    assert_int_equal(CMD("DATA QUERY ATTLOG StartTime=2015-07-30 00:00:00\tEndTime=2015-07-29 00:00:00", &c, why),
                     PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("DATA QUERY ATTLOG StartTime=2015-02-29 00:00:00\tEndTime=2015-03-01 00:00:00", &c, why),
                     PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("CLEAR LOG", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_CLEAR_LOG);
    assert_string_equal(c.reply_cmd, "CLEAR_LOG");
    assert_int_equal(CMD("CLEAR DATA", &c, why), PUSH_OK);
    assert_string_equal(c.reply_cmd, "CLEAR_DATA");
    assert_int_equal(CMD("CHECK", &c, why), PUSH_OK);
    assert_int_equal(CMD("INFO", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_INFO);
    assert_int_equal(CMD("REBOOT", &c, why), PUSH_OK);
    assert_int_equal(CMD("RELOAD OPTIONS", &c, why), PUSH_OK);
    assert_string_equal(c.reply_cmd, "RELOAD OPTIONS");
    assert_int_equal(CMD("SET OPTION Delay=15", &c, why), PUSH_OK);
    assert_string_equal(c.key, "Delay");
    assert_string_equal(c.value, "15");
    assert_string_equal(c.reply_cmd, "SET OPTION");
    assert_int_equal(CMD("SET OPTION =15", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("ENROLL_FP PIN=408\tFID=6\tRETRY=3\tOVERWRITE=1", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_ENROLL_FP);
    assert_int_equal(c.fid, 6);
    assert_int_equal(c.retry, 3);
    assert_int_equal(c.overwrite, 1);
    assert_int_equal(CMD("ENROLL_FP PIN=408\tFID=6\tOVERWRITE=2", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("ENROLL_MF PIN=408\tRETRY=3", &c, why), PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_ENROLL_CARD);
    assert_int_equal(CMD("SHELL ls /", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_int_equal(c.kind, PUSH_CMD_REFUSED);
    assert_int_equal(c.error_ret, PUSH_RET_NOT_SUPPORTED);
    assert_int_equal(CMD("GetFile /etc/passwd", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_int_equal(c.kind, PUSH_CMD_REFUSED);
    assert_int_equal(CMD("AC_UNLOCK", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_int_equal(c.kind, PUSH_CMD_UNKNOWN);
    assert_string_equal(c.reply_cmd, "AC_UNLOCK");
    assert_int_equal(CMD("FOO&Return=0", &c, why), PUSH_ERR_UNSUPPORTED); /* cannot forge the answer */
    assert_string_equal(c.reply_cmd, "");
    assert_int_equal(CMD("CLEAR PHOTO", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_string_equal(c.reply_cmd, "CLEAR_PHOTO");
    assert_int_equal(CMD("CLEAR PH&OTO", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_string_equal(c.reply_cmd, "CLEAR");
    assert_int_equal(CMD("DATA UPDATE SMS MSG=hi", &c, why), PUSH_ERR_UNSUPPORTED);
    assert_string_equal(c.reply_cmd, "DATA");
}

static void command_upgrade(void **state)
{
    (void)state;
    push_cmd c;
    char why[160];
    assert_int_equal(
        CMD("UPGRADE checksum=A5BF4DCD6020F408589224274AAB132D,url=http://h:88/fw/emfw.cfg,size=2312", &c, why),
        PUSH_OK);
    assert_int_equal(c.kind, PUSH_CMD_UPGRADE);
    assert_string_equal(c.checksum, "a5bf4dcd6020f408589224274aab132d");
    assert_string_equal(c.url, "http://h:88/fw/emfw.cfg");
    assert_int_equal(c.size, 2312);
    assert_int_equal(CMD("UPGRADE type=1,checksum=a5bf4dcd6020f408589224274aab132d,size=6558,url=/d/a,b.cfg", &c, why),
                     PUSH_OK);
    assert_string_equal(c.url, "/d/a,b.cfg");
    assert_int_equal(CMD("UPGRADE checksum=oqoier9883kjankdefi894eu,size=6558,url=/x", &c, why),
                     PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("UPGRADE checksum=a5bf4dcd6020f408589224274aab132d,url=/x", &c, why), PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("UPGRADE checksum=a5bf4dcd6020f408589224274aab132d,url=/x,size=0", &c, why),
                     PUSH_ERR_BAD_PARAMETER);
    assert_int_equal(CMD("UPGRADE type=2,checksum=a5bf4dcd6020f408589224274aab132d,url=/x,size=1", &c, why),
                     PUSH_ERR_BAD_PARAMETER);
}

static void acks_and_dates(void **state)
{
    (void)state;
    int64_t n;
    assert_int_equal(push_ack_parse("OK", 2, &n), PUSH_OK);
    assert_int_equal(n, -1);
    assert_int_equal(push_ack_parse("OK:9", 4, &n), PUSH_OK);
    assert_int_equal(n, 9);
    assert_int_equal(push_ack_parse(" OK: 12\r\n", 9, &n), PUSH_OK);
    assert_int_equal(n, 12);
    assert_int_equal(push_ack_parse("OKAY", 4, &n), PUSH_ERR_NOT_ACKNOWLEDGED);
    assert_int_equal(push_ack_parse("OK:-1", 5, &n), PUSH_ERR_NOT_ACKNOWLEDGED);
    assert_int_equal(push_ack_parse("OK: x", 5, &n), PUSH_ERR_NOT_ACKNOWLEDGED);
    assert_int_equal(push_ack_parse("ERROR", 5, &n), PUSH_ERR_NOT_ACKNOWLEDGED);
    assert_int_equal(push_ack_parse("", 0, &n), PUSH_ERR_NOT_ACKNOWLEDGED);

    int64_t t;
    const char *d1 = "Fri, 03 Jul 2015 06:53:01 GMT";
    assert_int_equal(push_http_date_parse(d1, strlen(d1), &t), PUSH_OK);
    assert_int_equal(t, 1435906381);
    const char *d2 = "Fri, 10 Jul 2015 03: 53: 16 GMT"; /* as the protocol document prints it */
    assert_int_equal(push_http_date_parse(d2, strlen(d2), &t), PUSH_OK);
    assert_int_equal(t, 1436500396);
    const char *d3 = "Thu, 29 Feb 2024 23:59:59 GMT";
    assert_int_equal(push_http_date_parse(d3, strlen(d3), &t), PUSH_OK);
    assert_int_equal(t, 1709251199);
    const char *bad[] = {"Fri, 30 Feb 2015 06:53:01 GMT", "Fri, 03 Jul 2015 24:00:00 GMT",
                         "Fri, 03 Jux 2015 06:53:01 GMT", "Fri, 03 Jul 2015 06:53:01 CET",
                         "03 Jul 2015 06:53:01 GMT",      ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(push_http_date_parse(bad[i], strlen(bad[i]), &t), PUSH_ERR_BAD_DATE);
}

static void formatting(void **state)
{
    (void)state;
    char buf[512];
    size_t pos = 0;
    push_attlog a = {"1452", 1438269388, push_status_code(1), push_verify_code(1), 77};
    assert_int_equal(push_format_attlog(buf, sizeof(buf), &pos, &a), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "1452\t2015-07-30 15:16:28\t0\t1\t0\t77\t0\n");
    assert_int_equal(push_status_code(0), 255);
    assert_int_equal(push_status_code(6), 5);
    assert_int_equal(push_verify_code(3), 0);
    assert_int_equal(push_verify_code(2), 2);

    pos = 0;
    assert_int_equal(push_format_oplog(buf, sizeof(buf), &pos, 4, "14", 1438251754, "a\tb\nc", 5), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "OPLOG 4\t14\t2015-07-30 10:22:34\ta b c\t0\t0\t5\n");

    pos = 0;
    assert_int_equal(push_format_user(buf, sizeof(buf), &pos, "36234", "Ann\tPri=14", 0, 133440), PUSH_OK);
    buf[pos] = '\0';
    /* A tab in a name cannot forge a field; the password is never sent. */
    assert_string_equal(buf,
                        "USER PIN=36234\tName=Ann Pri=14\tPri=0\tCard=133440\tGrp=1\tTZ=0000000000000000\tVerify=0\n");
    assert_null(strstr(buf, "Passwd"));

    pos = 0;
    const uint8_t tmpl[] = {'A', 'B', 'C', 'D'};
    assert_int_equal(push_format_fp(buf, sizeof(buf), &pos, "2", 1, tmpl, sizeof(tmpl)), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "FP PIN=2\tFID=1\tSize=8\tValid=1\tTMP=QUJDRA==\n");

    pos = 0;
    assert_int_equal(push_format_result(buf, sizeof(buf), &pos, "info8487", -1002, "DATA"), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "ID=info8487&Return=-1002&CMD=DATA\n");

    /* BIODATA: Type=1 and the version and format given; Index, Valid and Duress as this device stores fingers. */
    pos = 0;
    assert_int_equal(
        push_format_biodata(buf, sizeof(buf), &pos, "306", 6, 10, 0, PUSH_BIO_FORMAT_ISO, tmpl, sizeof(tmpl)), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "BIODATA Pin=306\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\t"
                             "Format=1\tTmp=QUJDRA==\n");
    assert_int_equal(push_format_biodata(buf, sizeof(buf), &pos, "1", 10, 10, 0, 1, tmpl, 4),
                     PUSH_ERR_INVALID_ARGUMENT);

    pos = 0;
    assert_int_equal(push_format_verify_sum(buf, sizeof(buf), &pos, "v1", 0, 1438128000, 1438214399, 94), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "ID=v1&Return=0&CMD=VERIFY SUM&StartTime=2015-07-29 00:00:00&EndTime=2015-07-29 "
                             "23:59:59&AttlogSum=94\n");

    /* table=options items: comma-separated, no key injection through a value */
    pos = 0;
    assert_int_equal(push_format_option_item(buf, sizeof(buf), &pos, "FingerFunOn", "1"), PUSH_OK);
    assert_int_equal(push_format_option_item(buf, sizeof(buf), &pos, "~DeviceName", "M1,x=y\n"), PUSH_OK);
    buf[pos] = '\0';
    assert_string_equal(buf, "FingerFunOn=1,~DeviceName=M1 x y ");
    assert_int_equal(push_format_option_item(buf, sizeof(buf), &pos, "bad key", "1"), PUSH_ERR_INVALID_ARGUMENT);
    assert_int_equal(push_format_option_item(buf, sizeof(buf), &pos, "", "1"), PUSH_ERR_INVALID_ARGUMENT);

    /* Too small: nothing written, pos unchanged. */
    char small[10];
    size_t p2 = 3;
    assert_int_equal(push_format_attlog(small, sizeof(small), &p2, &a), PUSH_ERR_TOO_LONG);
    assert_int_equal(p2, 3);
}

static void base64_and_time(void **state)
{
    (void)state;
    char enc[64];
    size_t n;
    uint8_t dec[64];
    const char *tests[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(push_base64_encode((const uint8_t *)tests[i], strlen(tests[i]), enc, sizeof(enc), &n),
                         PUSH_OK);
        assert_string_equal(enc, want[i]);
        assert_int_equal(push_base64_decode(enc, n, dec, sizeof(dec), &n), PUSH_OK);
        assert_int_equal(n, strlen(tests[i]));
        assert_memory_equal(dec, tests[i], n);
    }
    assert_int_equal(push_base64_decode("Zm9", 3, dec, sizeof(dec), &n), PUSH_ERR_BAD_BASE64);
    assert_int_equal(push_base64_decode("Zm=v", 4, dec, sizeof(dec), &n), PUSH_ERR_BAD_BASE64);
    assert_int_equal(push_base64_decode("Z!9v", 4, dec, sizeof(dec), &n), PUSH_ERR_BAD_BASE64);
    assert_int_equal(push_base64_decode("Zg==Zg==", 8, dec, sizeof(dec), &n), PUSH_ERR_BAD_BASE64);
    assert_int_equal(push_base64_decode("Zm9vYmFy", 8, dec, 5, &n), PUSH_ERR_TOO_LONG);

    char when[20];
    for (int64_t t = 0; t < 4102444800; t += 86400 * 37 + 3671) {
        int64_t back;
        push_time_format(t, when);
        assert_int_equal(push_time_parse(when, strlen(when), &back), PUSH_OK);
        assert_int_equal(back, t);
    }
    for (int s = 0; s < 80; s++) assert_non_null(push_status_message((push_status)s));
    assert_string_equal(push_status_name(PUSH_ERR_BAD_OPTIONS), "PUSH_ERR_BAD_OPTIONS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_full),
        cmocka_unit_test(options_transflag_digits),
        cmocka_unit_test(options_timezone),
        cmocka_unit_test(options_clamping),
        cmocka_unit_test(options_bare_ok_and_errors),
        cmocka_unit_test(options_biodata_and_push),
        cmocka_unit_test(command_biodata),
        cmocka_unit_test(command_verify_sum),
        cmocka_unit_test(command_lines),
        cmocka_unit_test(command_userinfo),
        cmocka_unit_test(command_fingertmp),
        cmocka_unit_test(command_others),
        cmocka_unit_test(command_upgrade),
        cmocka_unit_test(acks_and_dates),
        cmocka_unit_test(formatting),
        cmocka_unit_test(base64_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
