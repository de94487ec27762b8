"""Instructor commands.

  python -m autograder lessons [AID ...]      build each solutions/<aid>/<aid>.ipynb from its lesson script
                                              (--from-notebook: the other way; --check: report pairs out of sync)
  python -m autograder release [AID ...]      regenerate exercises/ from solutions/
  python -m autograder grade SUBMISSIONS      grade a cohort (a folder or an LMS zip); --help for the options
  python -m autograder export canvas|moodle   the grades as the CSV file Canvas or Moodle imports (--worksheet:
                                              Moodle's grading worksheet; --roster: the LMS's export); --help

Student command.

  python -m autograder reset LESSON [--yes]   start a lesson over from a fresh copy (your notebook is backed up)
"""

import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    if argv[0] == "lessons":
        from autograder.lessons import main as lessons_main

        return lessons_main(argv[1:])
    if argv[0] == "release":
        from autograder.release import REPO, generate

        for path in generate(ids=argv[1:] or None):
            print(f"released {path.relative_to(REPO)}")
        return 0
    if argv[0] == "reset":
        from autograder.reset import main as reset_main

        return reset_main(argv[1:])
    if argv[0] == "grade":
        from autograder.grade import main as grade_main

        return grade_main(argv[1:])
    if argv[0] == "export":
        from autograder.lms import main as export_main

        return export_main(argv[1:])
    print(f"unknown command {argv[0]!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
