"""What the integrity scan (:mod:`autograder.scan`) looks for: names of hooks, exits, shells, file calls, paths."""

import re

# course modules a graded function may use (checking, plotting, data); everything else there is reference code.
ALLOWED_COURSE = {"course.grading", "course.viz", "course.widgets", "course.data", "course.datasets"}
IPYTHON_HOOKS = {"set_custom_exc", "showtraceback", "showsyntaxerror", "_showtraceback", "run_cell",
                 "run_cell_async", "run_ast_nodes", "input_transformers_post", "input_transformers_cleanup",
                 "ast_transformers", "custom_exceptions", "excepthook", "register_magic_function",
                 "set_hook", "InteractiveTB"}
SYS_HOOKS = {"excepthook", "settrace", "setprofile", "addaudithook", "displayhook", "stderr", "stdout",
             "meta_path", "path_hooks", "modules", "_getframe"}
EXITS = {"sys.exit", "os._exit", "os.abort", "os.kill", "os.killpg", "exit", "quit", "signal.raise_signal"}
SHELL = {"os.system", "os.popen", "os.execv", "os.execl", "os.execvp", "os.spawnl", "os.fork", "os.posix_spawn",
         "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
         "subprocess.Popen", "pty.spawn"}
FILE_CALLS = {"open", "io.open", "os.open", "pathlib.Path", "Path", "os.listdir", "os.scandir", "os.walk",
              "glob.glob", "glob.iglob", "shutil.copy", "shutil.copyfile", "shutil.copytree", "shutil.rmtree",
              "shutil.move", "os.remove", "os.unlink", "os.rename", "os.replace", "os.makedirs", "os.mkdir",
              "os.stat", "os.path.exists", "os.path.isfile", "os.path.isdir", "np.load", "np.loadtxt",
              "np.save", "np.savetxt", "numpy.load", "numpy.save", "numpy.loadtxt", "np.genfromtxt",
              "pickle.load", "json.load", "nbformat.read", "os.chdir"}
SUSPECT_PATH = re.compile(r"^(/|~|\\\\|[A-Za-z]:[\\/])|(^|[\\/])\.\.([\\/]|$)|gradebook|solutions|\.db$|"
                          r"autograded|submitted")
# A string anywhere in the code that names a place outside the notebook's folder or the grader's files.
PATH_LITERAL = re.compile(r"^(~/|/(?:[\w.@-]+/)+[\w.@-]*$)|(^|/)\.\./|gradebook|(^|/)solutions/|\.db$|"
                          r"(^|/)(autograded|submitted)/")
# Reading the checker's state: frames (the caller's `expected`) and a function's internals.
FRAME_CALLS = {"inspect.stack", "inspect.currentframe", "inspect.getouterframes", "inspect.trace", "sys._getframe",
               "inspect.getclosurevars", "traceback.walk_stack", "traceback.extract_stack"}
FRAME_ATTRIBUTES = {name: "frame access: reads its callers' variables" for name in
                    ("tb_frame", "f_back", "f_locals", "f_globals", "gi_frame", "cr_frame", "tb_next")}
FRAME_ATTRIBUTES.update({name: "a function's internals" for name in
                         ("__globals__", "__kwdefaults__", "__defaults__", "__closure__", "__code__",
                          "__subclasses__", "__wrapped__")})
