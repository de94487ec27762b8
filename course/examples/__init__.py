"""Worked examples of the lessons: the small networks and experiments whose numbers the lessons quote.

- :mod:`~course.examples.network222`: the 2-2-2 sigmoid network with named weights, worked by hand in 03;
- :mod:`~course.examples.xor`: the 2-H-1 XOR network of 03 and its four steps of learning;
- :mod:`~course.examples.delta_rule`: the L-layer sigmoid network of 03, the delta rule composed from
  :mod:`course.layers` and :mod:`course.activations`;
- :mod:`~course.examples.line_fit`: the line fitted under each loss beside a movable outlier, in 01;
- :mod:`~course.examples.one_weight`: the one-weight neuron whose error curve opens 02;
- :mod:`~course.examples.init_experiments`: 04's experiments, configurations of :func:`course.mlp.build_mlp`;
- :mod:`~course.examples.digits`: 06's digit classifier, trained with :func:`course.train.fit`;
- :mod:`~course.examples.through_time`: 07's gradient-through-time and clipping experiments, and one example's CTC
  lattice;
- :mod:`~course.examples.ctc_paths`: CTC by brute force over every alignment, for tiny inputs (07 and the tests);
- :mod:`~course.examples.digit_strips` and :mod:`~course.examples.string_reader`: 07's task, strips of handwritten
  digits read by a bidirectional LSTM with a CTC head.
"""

from course import lazy_submodules

__getattr__ = lazy_submodules(__name__)  # `course.examples.xor` works after a plain `import course`
