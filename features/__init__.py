"""Consecutive-graphlet features and the push predictor: the feature frame read from the graph, xgboost
(and the study's Random Forest) training, evaluation against the study's method, predictions written back
to the graph, TFDV statistics (docs/predictor.md)."""
