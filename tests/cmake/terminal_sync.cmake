# Terminal cloud sync (terminal/sync/): PUSH protocol, libcurl transport,
# sync engine with outbox, firmware verification. docs/sync.md.
#   test_term_sync_proto  pure protocol unit tests
#   test_term_sync_e2e    the engine over real libcurl against the loopback PUSH server
#   test_term_sync_peers  the same against the server's field modes (TransFlag without AttLog, BIODATA, ...)
#   test_term_sync_fault  random network faults and a SIGKILLed writer during uploads
#   test_term_sync_tools  fw-sign + device verifier; TLS verification and key pinning
#   test_term_sync_worker the engine on its own thread: requests, answers, notices, a stalled server
#   test_term_sync_store  the engine and the store: server user ids, storage full, a rebuilt database
fp_add_test(test_term_sync_proto SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_proto.c
            LIBS push_proto LABELS unit)
fp_add_test(test_term_sync_e2e SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_e2e.c
            ${PROJECT_SOURCE_DIR}/tests/test_term_sync_fixture.c ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
            LIBS term_sync term_store fpcore pthread LABELS unit)
# The engine against the habits of PUSH servers met in the field (the server's modes), one test per mode.
fp_add_test(test_term_sync_peers SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_peers.c
            ${PROJECT_SOURCE_DIR}/tests/test_term_sync_fixture.c ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
            LIBS term_sync term_store fpcore pthread LABELS unit)
fp_add_test(test_term_sync_fault SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_fault.c
            ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
            LIBS term_sync term_store fpcore pthread LABELS unit slow)
fp_add_test(test_term_sync_worker SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_worker.c
            ${PROJECT_SOURCE_DIR}/tests/test_term_sync_server.c
            LIBS term_sync term_store fpcore pthread LABELS unit)
if(NOT TARGET PkgConfig::TEST_SQLCIPHER)
  pkg_check_modules(TEST_SQLCIPHER REQUIRED IMPORTED_TARGET sqlcipher)
endif()
fp_add_test(test_term_sync_store SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_store.c
            LIBS term_sync term_store fpcore PkgConfig::TEST_SQLCIPHER LABELS unit)
fp_add_fuzz(fuzz_push_options SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_push_options.c LIBS push_proto)
fp_add_fuzz(fuzz_push_command SOURCES ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_push_command.c LIBS push_proto)
# The fw-sign tool with the device verifier, and TLS rules against openssl s_server (skipped without openssl).
fp_add_test(test_term_sync_tools SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_sync_tools.c
            LIBS term_sync LABELS unit)
target_compile_definitions(test_term_sync_tools PRIVATE FW_SIGN_PATH="$<TARGET_FILE:fw-sign>")
add_dependencies(test_term_sync_tools fw-sign)
# A/B firmware slots: bounded tries, confirmation, damaged state, killed installs.
fp_add_test(test_term_fw_ab SOURCES ${PROJECT_SOURCE_DIR}/tests/test_term_fw_ab.c LIBS term_fw LABELS unit)
