/*
 * scene_table.c - the registry the application loop and the scene kit
 * dispatch through, built from the lists of scene_config.h: the handlers
 * of every scene kind, the module that finishes each purpose, the module
 * that runs each menu action. The only file that names the scenes' handlers.
 */
#include "term_app_internal.h"

/* A completed scene opened for nothing: nothing to finish. */
static void scene_done_nothing(term_app *app, const scene *done, const scene_result *r)
{
    (void)app;
    (void)done;
    (void)r;
}

#define DECLARE_OPS_(kind, ops) extern const scene_ops ops;
APP_SCENES(DECLARE_OPS_)
#undef DECLARE_OPS_

const app_scene_registry app_scene_table = {
    .ops =
        {
#define OPS_(kind, ops) [kind] = &ops,
            APP_SCENES(OPS_)
#undef OPS_
        },
    .done =
        {
#define DONE_(p, done) [p] = done,
            APP_PURPOSES(DONE_)
#undef DONE_
        },
    .action = {[A_NONE] = menu_action, /* never called: app_action skips it */
#define ACTION_(a, run) [a] = run,
               APP_ACTIONS(ACTION_)
#undef ACTION_
    },
};
