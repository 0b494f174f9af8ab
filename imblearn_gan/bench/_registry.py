"""Samplers and classifiers by name, and the ``name:param=value`` spec syntax.

Every factory takes ``(random_state, categorical)`` and builds its estimator
lazily, so this module imports even where an optional sampler (or ``ctgan``,
``xgboost``) is missing; the error comes when that name is asked for.
``categorical`` is False, True (mixed table) or ``"all"``.
"""

import ast
from typing import ClassVar

from sklearn.base import BaseEstimator

from ..exceptions import InputError


def _ours(class_name, **fixed):
    """Factory of one of this package's samplers, imported when first built."""

    def factory(random_state, categorical):
        import imblearn_gan

        if not hasattr(imblearn_gan, class_name):
            raise InputError(f"imblearn_gan.{class_name} is not available in this version.")
        sampler = getattr(imblearn_gan, class_name)()
        params = sampler.get_params()
        given = {"random_state": random_state, "n_threads": 1, **fixed}
        return sampler.set_params(**{k: v for k, v in given.items() if k in params})

    return factory


def _imblearn(class_name, module="imblearn.over_sampling", seeded=True):
    def factory(random_state, categorical):
        import importlib

        cls = getattr(importlib.import_module(module), class_name)
        return cls(random_state=random_state) if seeded else cls()

    return factory


def _smote(random_state, categorical):
    """SMOTE for numeric tables, SMOTENC for mixed ones, SMOTEN for all-categorical."""
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    if categorical == "all":
        return SMOTEN(random_state=random_state)
    if categorical:
        return SMOTENC(categorical_features="auto", random_state=random_state)
    return SMOTE(random_state=random_state)


def _peer(model):
    def factory(random_state, categorical):
        try:
            import ctgan  # noqa: F401
        except ImportError:
            raise InputError(
                f"The {model!r} sampler needs the ctgan package: pip install ctgan "
                "(or the package's [bench] extra)."
            ) from None
        from ._ctgan import CTGANFamilyOverSampler

        return CTGANFamilyOverSampler(model=model, random_state=random_state)

    return factory


def _smote_variant(method):
    def factory(random_state, categorical):
        from ._smote_variants import SmoteVariantsSampler, import_smote_variants

        import_smote_variants()  # the install hint now, not at the first fit
        return SmoteVariantsSampler(method=method, random_state=random_state)

    return factory


class TunedThreshold(BaseEstimator):
    """No resampling; the classifier's decision threshold is tuned instead.

    Wraps the classifier in scikit-learn's ``TunedThresholdClassifierCV``
    (internal stratified CV on the training fold only).
    """

    _parameter_constraints: ClassVar[dict] = {"scoring": [str, callable], "cv": ["cv_object"]}

    def __init__(self, scoring="balanced_accuracy", cv=5):
        self.scoring = scoring
        self.cv = cv

    def wrap(self, classifier, random_state):
        from sklearn.model_selection import TunedThresholdClassifierCV

        return TunedThresholdClassifierCV(classifier, scoring=self.scoring, cv=self.cv,
                                          random_state=random_state)


SAMPLER_FACTORIES = {
    "none": lambda random_state, categorical: None,
    "threshold": lambda random_state, categorical: TunedThreshold(),
    "ros": _imblearn("RandomOverSampler"),
    "smote": _smote,
    "adasyn": _imblearn("ADASYN"),
    "borderline-smote": _imblearn("BorderlineSMOTE"),
    "rus": _imblearn("RandomUnderSampler", "imblearn.under_sampling"),
    "tomek": _imblearn("TomekLinks", "imblearn.under_sampling", seeded=False),
    "smote-tomek": _imblearn("SMOTETomek", "imblearn.combine"),
    "gan": _ours("GANOverSampler"),
    # the recurrent GAN for series (one row per series): one LSTM layer of 32 units each side
    "gan-lstm": _ours("GANOverSampler", network="lstm", generator_widths=(32,),
                      critic_widths=(32,)),
    "vae": _ours("VAEOverSampler"),
    "tomek-pruner": _ours("TomekPruner"),
    "loss-proportional": _ours("LossProportionalSampler"),
    "downsample-upweight": _ours("DownsampleUpweight"),
    "ctgan": _peer("ctgan"),
    "tvae": _peer("tvae"),
    "polynom-fit-smote-star": _smote_variant("polynom-fit-smote-star"),
    "prowsyn": _smote_variant("prowsyn"),
    "smote-ipf": _smote_variant("smote-ipf"),
}

# samplers that read categorical columns themselves; the others get the
# one-hot encoded table (the preprocessing step moves before them)
NATIVE_CATEGORICAL = {"none", "threshold", "ros", "rus", "smote", "gan", "vae", "ctgan",
                      "tvae", "downsample-upweight", "tomek-pruner"}
# over-samplers whose new rows --quality evaluates with imblearn_gan.metrics: those that
# read the raw table (categorical columns included) and only add rows
QUALITY_SAMPLERS = {"gan", "gan-lstm", "vae", "ctgan", "tvae", "smote", "ros"}

ALIASES = {
    "randomoversampler": "ros", "randomundersampler": "rus", "borderlinesmote": "borderline-smote",
    "tomeklinks": "tomek", "smotetomek": "smote-tomek", "ganoversampler": "gan",
    "vaeoversampler": "vae", "tomekpruner": "tomek-pruner",
    "lossproportionalsampler": "loss-proportional", "downsampleupweight": "downsample-upweight",
    "tuned-threshold": "threshold", "polynom_fit_smote_star": "polynom-fit-smote-star",
    "smote_ipf": "smote-ipf",
}


def _xgboost(random_state):
    try:
        from xgboost import XGBClassifier
    except ImportError:
        raise InputError(
            "The 'xgboost' classifier needs the xgboost package: pip install xgboost."
        ) from None
    return XGBClassifier(n_estimators=200, random_state=random_state, n_jobs=1)


def _classifier(module, class_name, seeded=True, **params):
    def factory(random_state):
        import importlib

        cls = getattr(importlib.import_module(module), class_name)
        return cls(**params, **({"random_state": random_state} if seeded else {}))

    return factory


def _minirocket(random_state):
    """aeon's MiniRocket features (univariate series, one per row), then a
    logistic regression, so that the pipeline has ``predict_proba`` scores
    (aeon's default ridge head has none)."""
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier
    except ImportError:
        raise InputError(
            "The 'minirocket' classifier needs the aeon package: "
            "pip install 'imblearn-gan[series]'."
        ) from None
    from sklearn.linear_model import LogisticRegression

    return MiniRocketClassifier(estimator=LogisticRegression(max_iter=2000), n_jobs=1,
                                random_state=random_state)


CLASSIFIER_FACTORIES = {
    "logreg": _classifier("sklearn.linear_model", "LogisticRegression", False, max_iter=2000),
    "hgb": _classifier("sklearn.ensemble", "HistGradientBoostingClassifier"),
    "rf": _classifier("sklearn.ensemble", "RandomForestClassifier", n_estimators=100, n_jobs=1),
    "knn": _classifier("sklearn.neighbors", "KNeighborsClassifier", False),
    "xgboost": _xgboost,
    "minirocket": _minirocket,
}


def parse_value(text):
    """``'50'`` -> 50, ``'0.5'`` -> 0.5, ``'true'`` -> True, ``'None'`` -> None,
    ``'(64,32)'`` -> (64, 32); anything else stays a string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text.strip()


def split_specs(text):
    """Split a comma-separated list of specs, keeping ``k=(1,2)`` whole and
    folding ``gan:epochs=5,batch_size=64`` into one spec."""
    tokens, depth, current = [], 0, ""
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            tokens.append(current)
            current = ""
        else:
            current += char
    tokens.append(current)
    specs = []
    for token in (t.strip() for t in tokens if t.strip()):
        if specs and ":" not in token and "=" in token:
            specs[-1] += ":" + token  # a further parameter of the previous spec
        else:
            specs.append(token)
    return specs


def parse_spec(spec, names, kind="sampler"):
    """``'smote:k_neighbors=3'`` -> ``('smote', {'k_neighbors': 3})``.

    ``names`` are the registered names (aliases and case are resolved for
    samplers). Raises InputError naming the problem.
    """
    name, *assignments = spec.split(":")
    key = name.strip().lower()
    key = ALIASES.get(key, key) if kind == "sampler" else key
    if key not in names:
        raise InputError(f"unknown {kind} {name!r}; choose from {', '.join(names)}")
    params = {}
    for item in assignments:
        param, sep, value = item.partition("=")
        if not sep or not param.strip():
            raise InputError(f"{kind} parameter {item!r} in {spec!r} is not written param=value")
        params[param.strip()] = parse_value(value)
    return key, params


def spec_label(key, params):
    """The name a spec gets in the results: the key, plus its parameters."""
    return ":".join([key, *(f"{k}={v}" for k, v in params.items())])
