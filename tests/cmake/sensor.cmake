# Sensor driver (sensor/): capture state machine, gate, backends.
# fpsensor is defined later (sensor/ is added after tests/).
fp_add_test(test_sensor SOURCES ${PROJECT_SOURCE_DIR}/tests/test_sensor.c
            LIBS fpsensor fpsynth_lib fpio LABELS unit slow)
