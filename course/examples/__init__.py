"""Worked examples of the lessons: the small networks and experiments whose numbers the lessons quote.

- :mod:`~course.examples.network222`: the 2-2-2 sigmoid network with named weights, worked by hand in 03;
- :mod:`~course.examples.xor`: the 2-H-1 XOR network of 03 and its four steps of learning;
- :mod:`~course.examples.delta_rule`: the L-layer sigmoid network of 03, the delta rule composed from
  :mod:`course.layers` and :mod:`course.activations`;
- :mod:`~course.examples.line_fit`: the line fitted under each loss beside a movable outlier, in 01;
- :mod:`~course.examples.one_weight`: the one-weight neuron whose error curve opens 02;
- :mod:`~course.examples.init_experiments`: 04's experiments, configurations of :func:`course.mlp.build_mlp`;
- :mod:`~course.examples.digits`: 06's digit classifier, trained with :func:`course.train.fit`.
"""

from course import lazy_submodules

__getattr__ = lazy_submodules(__name__)  # `course.examples.xor` works after a plain `import course`
