"""What a model that did not learn answers, and the causes its learning finding names first."""

from __future__ import annotations

import numpy as np

from healthtune.health.findings import learning_findings
from healthtune.health.learning import Answers, answers_of, learning_gain, make_gate


def test_answers_of_reads_the_most_frequent_answer_the_majority_label_and_the_input_scale() -> None:
    probabilities = np.array([[0.1, 0.9], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    labels = np.array([0, 0, 0, 1])
    answers = answers_of(probabilities, labels, np.array([[0.0, 255.0], [3.0, -7.0]], dtype="float32"))
    assert answers == Answers(top_class=1, top_share=0.75, majority_class=0, input_magnitude=255.0)
    assert not answers.one_answer
    token_ids = np.array([[4, 17, 0], [9, 2, 1]])
    assert answers_of(probabilities, labels, token_ids).input_magnitude is None
    nan_inputs = np.array([[np.nan, 1.0], [2.0, 3.0]], dtype="float32")  # health.json stays valid JSON
    assert answers_of(probabilities, labels, nan_inputs).input_magnitude is None


def _finding(accuracy: float, chance: float, answers: Answers | None):  # type: ignore[no-untyped-def]
    gate = make_gate(learning_gain(accuracy, chance), chance, [])
    [finding] = learning_findings(gate, accuracy, answers)
    return finding


def test_one_answer_for_every_input_names_regularization_and_for_the_majority_of_skewed_classes_their_weights() -> (
    None
):
    balanced_collapse = _finding(0.1, 0.1, Answers(3, 1.0, 0, 1.0))
    assert "answers class 3 for 100%" in balanced_collapse.explanation
    assert balanced_collapse.suggestion.startswith("check the learning rate")
    assert balanced_collapse.suggestion.endswith("dropout above 0.5 can pin a network to one answer.")
    assert "class_weight" not in balanced_collapse.suggestion

    majority = _finding(0.9, 0.9, Answers(0, 1.0, 0, 1.0))
    assert majority.suggestion.startswith("weigh the classes (class_weight=balanced)")
    assert "90% of the examples are one class" in majority.suggestion
    # any model that learned nothing answers the majority; at 52% (Reuters R8) the imbalance is no cause
    mild = _finding(0.52, 0.52, Answers(0, 1.0, 0, 1.0))
    assert "class_weight" not in mild.suggestion and mild.suggestion.startswith("check the learning rate")

    # a model that answers many classes and still did not learn: the usual causes only
    spread = _finding(0.12, 0.1, Answers(2, 0.3, 0, 1.0))
    assert "answers class" not in spread.explanation
    assert spread.suggestion.startswith("check the learning rate")
    assert "regularization" not in spread.suggestion


def test_unscaled_inputs_are_named_first_and_token_ids_are_not_read_as_a_scale() -> None:
    unscaled = _finding(0.1, 0.1, Answers(3, 1.0, 0, 255.0))
    assert unscaled.suggestion.startswith("scale the inputs: they reach 255")
    text = _finding(0.1, 0.1, Answers(3, 1.0, 0, None))
    assert "scale the inputs" not in text.suggestion
    stored_before = _finding(0.1, 0.1, None)  # reports re-scored from runs before answers were kept
    assert stored_before.suggestion.startswith("check the learning rate")
    assert _finding(0.3, 0.1, Answers(3, 1.0, 0, 1.0)).severity == "warning"  # learned little


def test_training_batches_far_better_than_prediction_point_at_batch_normalization() -> None:
    gate = make_gate(learning_gain(0.12, 0.1), 0.1, [])
    [settling] = learning_findings(gate, 0.12, None, (0.52, 0.15))
    assert "52% of its training batches right while training and 15% of the training examples" in (
        settling.explanation
    )
    assert settling.suggestion.startswith("if it has batch normalization, its moving statistics")
    for close in ((0.30, 0.15), (0.10, 0.12)):  # luck of the batches; dropout lowers the running accuracy
        [plain] = learning_findings(gate, 0.12, None, close)
        assert "while training" not in plain.explanation and plain.suggestion.startswith(
            "check the learning rate"
        )
