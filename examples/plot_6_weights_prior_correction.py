"""
Sample weights through a pipeline, and corrected probabilities
==============================================================

Over-sampling changes the class prior a classifier learns: after SMOTE it sees 50%
minority rows, so its predicted probabilities are too high for the real prior, and its
log-loss suffers. Two remedies, both with :mod:`imblearn_gan.pipeline`:

- keep the true prior through **weights**: :class:`~imblearn_gan.DownsampleUpweight`
  keeps a fraction of the majority and gives each kept row a larger weight; the
  package's :class:`~imblearn_gan.pipeline.Pipeline` hands those weights to the
  classifier's ``fit`` (imbalanced-learn's own ``Pipeline`` would drop them);
- **correct** the probabilities afterwards:
  :class:`~imblearn_gan.calibration.PriorCorrectedClassifier` rescales
  ``p(c|x)`` by ``true prior / training prior``.
"""

# %%
# Data and models
# ---------------
import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from imblearn_gan import DownsampleUpweight
from imblearn_gan.calibration import PriorCorrectedClassifier
from imblearn_gan.datasets import load_dataset
from imblearn_gan.pipeline import make_pipeline

X, y = load_dataset("yeast4")  # 1,484 rows, 51 minority
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                    random_state=0)


def logreg():
    return LogisticRegression(max_iter=2000)


models = {
    "no resampling": make_pipeline(StandardScaler(), logreg()),
    "SMOTE": make_pipeline(StandardScaler(), SMOTE(random_state=0), logreg()),
    "SMOTE + prior correction": PriorCorrectedClassifier(
        make_pipeline(StandardScaler(), SMOTE(random_state=0), logreg())),
    "DownsampleUpweight": make_pipeline(
        StandardScaler(), DownsampleUpweight(factor=10, random_state=0), logreg()),
}

# %%
# The class prior each classifier was fitted on
# ---------------------------------------------
# The package's Pipeline records it as ``final_prior_`` (weighted).
for name in ["SMOTE", "DownsampleUpweight"]:
    pipe = models[name].fit(X_train, y_train)
    prior = {label: round(share, 3) for label, share in pipe.final_prior_.items()}
    print(f"{name}: {prior}")
print("true:", {label: round(float(np.mean(y_train == label)), 3) for label in (0, 1)})

# %%
# DownsampleUpweight kept a tenth of the majority rows, yet the weights restore the true
# prior. SMOTE's classifier saw a 50:50 prior.
#
# Log-loss and balanced accuracy on the test half
# -----------------------------------------------
scores = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    scores[name] = (log_loss(y_test, proba), balanced_accuracy_score(y_test, proba.argmax(1)))
    print(f"{name:26s} log-loss {scores[name][0]:.3f}  balanced accuracy {scores[name][1]:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
names = list(scores)
for ax, k, label in zip(axes, (0, 1), ("test log-loss (lower is better)",
                                        "test balanced accuracy at 0.5")):
    ax.barh(names, [scores[n][k] for n in names], color="tab:blue")
    ax.set_xlabel(label)
axes[0].invert_yaxis()
fig.tight_layout()

# %%
# The correction removes most of the log-loss that SMOTE added. It moves the decision
# threshold back towards the majority, so the balanced accuracy at the default
# threshold of 0.5 falls back too: correct the probabilities when you need calibrated
# probabilities (risk scores, expected costs), and resample when you need a classifier
# that says "minority" more often. Ranking metrics (ROC-AUC, PR-AUC) do not change:
# for two classes the correction is monotone.
#
# Weights given to ``fit``
# ------------------------
# Weights of your own travel with the rows too: each SMOTE row gets its class's mean
# weight, kept rows keep theirs.
w = np.where(y_train == 1, 3.0, 1.0)
pipe = make_pipeline(StandardScaler(), SMOTE(random_state=0), logreg())
pipe.fit(X_train, y_train, sample_weight=w)
print({label: round(share, 3) for label, share in pipe.final_prior_.items()})
plt.show()
