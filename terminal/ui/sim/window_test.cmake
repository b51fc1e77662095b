# ctest m1_sim_window: runs the SDL window on SDL's dummy video driver (no
# display needed), grabs it with --screenshot and compares the PNG with the
# one docs/ui.md shows (taken under Xvfb by scripts/ui-review.sh).
#   cmake -DSIM=... -DSCRIPT=... -DOUT=... -DREF=... -P window_test.cmake
set(ENV{SDL_VIDEODRIVER} dummy)
set(ENV{SDL_AUDIODRIVER} dummy)
file(REMOVE ${OUT})
execute_process(COMMAND ${SIM} --sim-clock --script ${SCRIPT} --screenshot ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "m1-sim exited with ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${REF} RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "window screenshot ${OUT} differs from ${REF} (scripts/ui-review.sh regenerates it)")
endif()
