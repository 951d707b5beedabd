"""Explanations of a deployment's predictions with alibi's black-box explainers (issue 11, seed §4.3).

One explainer per deployment (`spec.ExplainerSpec`, set through the API or a predictor's `explainer` section);
explanations run in worker threads and call the model through Warden's own data plane without being logged
(`model.DataPlaneModel`); results are stored (`repository`) so they can be shown again. alibi is imported lazily
(`build`): importing it takes seconds.
"""
