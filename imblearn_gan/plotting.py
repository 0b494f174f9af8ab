"""Plots of a sampler's training history (matplotlib is an optional extra)."""

__all__ = ["plot_history"]

_LOSS_KEYS = ("g_loss", "d_loss", "gp", "aux_loss", "loss", "recon", "kl")
_SCORE_KEYS = ("d_real", "d_fake")


def plot_history(history, path=None, ax=None, title=None):
    """Plot per-epoch losses and the discriminator's outputs on real/fake rows.

    Parameters
    ----------
    history : list of dict
        A fitted sampler's ``history_``: one dict per epoch with ``epoch``
        and the losses (``g_loss``, ``d_loss``, ``gp``, ``aux_loss``,
        ``loss``, ``recon``, ``kl``: those present are drawn) and, for a
        GAN, ``d_real`` and ``d_fake``.
    path : str or path-like, default=None
        Where to save the figure as PNG. ``None`` only returns it.
    ax : sequence of matplotlib Axes, default=None
        Axes to draw on: the losses on the first, the discriminator outputs
        on the second (when the history has them); new ones otherwise.
    title : str, default=None
        Title of the figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure: one panel of losses, plus one of the discriminator's
        mean output on real and on generated rows when the history has them.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from imblearn_gan.plotting import plot_history
    >>> history = [{"epoch": e, "g_loss": 1.0 / e, "d_loss": 0.5, "d_real": 0.6,
    ...             "d_fake": 0.4} for e in range(1, 4)]
    >>> fig = plot_history(history, title="GAN training")
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    try:
        import matplotlib

        if path is not None and ax is None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_history needs matplotlib: pip install 'imblearn-gan[plot]'"
        ) from exc
    epochs = [record["epoch"] for record in history]
    has_scores = any(key in history[0] for key in _SCORE_KEYS)
    if ax is None:
        fig, ax = plt.subplots(1, 2 if has_scores else 1, figsize=(10 if has_scores else 5, 3.5),
                               squeeze=False)
        ax = ax[0]
    fig = ax[0].figure
    for key in _LOSS_KEYS:
        if key in history[0]:
            ax[0].plot(epochs, [r[key] for r in history], label=key)
    ax[0].set_xlabel("epoch")
    ax[0].set_ylabel("loss")
    ax[0].legend()
    if has_scores:
        for key in _SCORE_KEYS:
            ax[1].plot(epochs, [r[key] for r in history], label=key.replace("d_", "on "))
        ax[1].set_xlabel("epoch")
        ax[1].set_ylabel("discriminator output (mean)")
        ax[1].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
