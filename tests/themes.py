"""One check for every picture test: a drawing reads on JupyterLab's light and dark themes alike."""

from matplotlib.colors import to_rgba


def reads_on_both_themes(fig, transparent=True, skip_unlabelled=False):
    """No black or white ink and no opaque near-white fill (either would vanish on one of the themes), and, with
    ``transparent``, a transparent figure (course.viz's theme). ``skip_unlabelled`` leaves out artists labelled
    ``_nolegend_`` (helpers drawn in the figure's own background colour)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    def bad(color):
        r, g, b, a = to_rgba(color)
        return a > 0 and (max(r, g, b) < 0.1 or min(r, g, b) > 0.85)

    for artist in fig.findobj(lambda a: isinstance(a, (Line2D, Text, Patch, Collection))):
        if isinstance(artist, Line2D):
            colors = [artist.get_color(), artist.get_markerfacecolor()]
        elif isinstance(artist, Text):
            patch = artist.get_bbox_patch()
            colors = [artist.get_color()] + ([patch.get_facecolor()] if patch else [])
        elif isinstance(artist, Patch):
            colors = [artist.get_facecolor()] if artist.get_fill() else []
        else:
            colors = list(artist.get_facecolor()) if len(artist.get_facecolor()) else []
        if skip_unlabelled and getattr(artist, "get_label", lambda: "")() == "_nolegend_":
            continue
        if artist.get_visible():
            assert not any(bad(c) for c in colors), f"{artist} uses black or white: {colors}"
    if transparent:
        assert to_rgba(fig.get_facecolor())[3] == 0, "the figure must be transparent"
