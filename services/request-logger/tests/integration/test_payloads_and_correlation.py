"""The seed's payloads and real executors' event pairs, POSTed to the logger, read back through the search API.

Each test runs against OpenSearch and against PostgreSQL (`store_kind`). The income schema comes from the real
metadata service (`metadata_service`): the model is registered through its API, and a deployment event maps the
deployment to it in its runtime table, which is what the logger looks up.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def seldon_headers(kind: str, request_id: str, *, namespace: str = "seldon", name: str = "iris",
                   endpoint: str = "default") -> dict[str, str]:  # fmt: skip
    return {
        "Ce-Id": str(uuid.uuid4()), "Ce-Specversion": "1.0", "Ce-Time": "2024-05-06T07:08:09Z",
        "Ce-Type": f"io.seldon.serving.inference.{kind}", "Ce-Source": "http://executor:8000/",
        "Ce-Modelid": "classifier", "Ce-Requestid": request_id, "Ce-Inferenceservicename": name,
        "Ce-Namespace": namespace, "Ce-Endpoint": endpoint, "Content-Type": "application/json",
    }  # fmt: skip


async def post_ok(logger: Any, headers: dict[str, str], body: Any) -> None:
    answer = await logger.post_event(headers, body)
    assert answer.status_code == 200, answer.text


async def test_iris_batch_of_two_becomes_two_documents(start_logger: Any) -> None:
    logger = await start_logger()
    rid = str(uuid.uuid4())
    request = {"data": {"names": ["Sepal length", "Sepal width", "Petal length", "Petal Width"],
                        "ndarray": [[6.8, 2.8, 4.8, 1.4], [6.1, 3.4, 4.5, 1.6]]}}  # fmt: skip
    response = {"data": {"names": ["t:0", "t:1", "t:2"], "ndarray": [[0.01, 0.2, 0.79], [0.02, 0.9, 0.08]]}}
    await post_ok(logger, seldon_headers("request", rid), request)
    await post_ok(logger, seldon_headers("response", rid), response)

    found = await logger.search(namespace="seldon", name="iris", requestId=rid, sort="asc")
    assert found["total"] == 2
    by_item = {hit["itemIndex"]: hit for hit in found["requests"]}
    assert [by_item[i]["id"] for i in (0, 1)] == [f"{rid}-item-0", f"{rid}-item-1"]
    assert by_item[1]["instance"] == [6.1, 3.4, 4.5, 1.6]
    assert by_item[1]["request"]["elements"] == {"Sepal length": 6.1, "Sepal width": 3.4, "Petal length": 4.5,
                                                 "Petal Width": 1.6}  # fmt: skip
    assert by_item[1]["request"]["dataType"] == "tabular"
    assert by_item[1]["response"]["elements"] == {"t:0": 0.02, "t:1": 0.9, "t:2": 0.08}
    # The raw payload of a batch is stored once, and every instance's hit returns it.
    assert by_item[0]["payloads"]["request"]["payload"] == request
    assert by_item[1]["payloads"]["response"]["payload"] == response


async def test_income_request_is_named_and_categorised_by_its_registered_schema(
    start_logger: Any, metadata_service: Any, test_data: Any
) -> None:
    schema = test_data("income_schema.json")
    uri = "gs://seldon-models/sklearn/income/model"
    await metadata_service.deploy(namespace="seldon", name="income", node="classifier", uri=uri, schema=schema)
    logger = await start_logger(upstreams={"metadata": metadata_service.url})
    rid = str(uuid.uuid4())
    request = {"data": {"names": ["Age", "Workclass", "Education", "Marital Status", "Occupation", "Relationship",
                                  "Race", "Sex", "Capital Gain", "Capital Loss", "Hours per week", "Country"],
                        "ndarray": [[53, 4, 0, 2, 8, 4, 2, 0, 0, 0, 60, 9]]}}  # fmt: skip
    response = {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.8584, 0.1416]]}}
    await post_ok(logger, seldon_headers("request", rid, name="income"), request)
    await post_ok(logger, seldon_headers("response", rid, name="income"), response)

    [hit] = (await logger.search(namespace="seldon", name="income", requestId=rid))["requests"]
    assert hit["request"]["elements"] == {
        "Age": 53, "Workclass": "Private", "Education": "Associates", "Marital Status": "Separated",
        "Occupation": "White-Collar", "Relationship": "Unmarried", "Race": "Black", "Sex": "Female",
        "Capital Gain": 0, "Capital Loss": 0, "Hours per week": 60, "Country": "United-States",
    }  # fmt: skip
    assert hit["response"]["elements"] == {"Income": {"<=$50K": 0.8584, ">$50K": 0.1416}}
    assert hit["payloads"]["request"]["payload"] == request  # a lone instance keeps its payload inline

    # Categorised elements are searchable by name; PROBA groups as <group>.<category>.
    women = await logger.search(namespace="seldon", name="income", feature="Sex:eq:Female",
                                output="Income.<=$50K:gt:0.5")  # fmt: skip
    assert [h["requestId"] for h in women["requests"]] == [rid]
    men = await logger.search(namespace="seldon", name="income", feature="Sex:eq:Male")
    assert men["total"] == 0


async def test_text_str_data_is_logged_as_text(start_logger: Any) -> None:
    logger = await start_logger()
    rid = str(uuid.uuid4())
    text = {"strData": "this film has bad actors"}
    await post_ok(logger, seldon_headers("request", rid, name="movie-sentiment"), text)

    [hit] = (await logger.search(namespace="seldon", name="movie-sentiment"))["requests"]
    assert hit["request"]["dataType"] == "text"
    assert hit["instance"] == "this film has bad actors"


async def test_v2_request_with_two_inputs_keeps_both(start_logger: Any) -> None:
    logger = await start_logger()
    rid = str(uuid.uuid4())
    request = {"id": rid, "inputs": [
        {"name": "features", "shape": [2, 3], "datatype": "FP32", "data": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
        {"name": "comment", "shape": [2], "datatype": "BYTES", "data": ["great", "awful"]},
    ]}  # fmt: skip
    response = {"model_name": "mixed", "outputs": [
        {"name": "score", "shape": [2, 1], "datatype": "FP32", "data": [0.9, 0.1]},
        {"name": "label", "shape": [2], "datatype": "BYTES", "data": ["pos", "neg"]},
    ]}  # fmt: skip
    await post_ok(logger, seldon_headers("request", rid, name="mixed") | {"Ce-Protocol": "v2"}, request)
    await post_ok(logger, seldon_headers("response", rid, name="mixed") | {"Ce-Protocol": "v2"}, response)

    found = await logger.search(namespace="seldon", name="mixed", sort="asc")
    hits = sorted(found["requests"], key=lambda h: h["itemIndex"])
    assert [h["request"]["elements"] for h in hits] == [
        {"features": [1.0, 2.0, 3.0], "comment": "great"},
        {"features": [4.0, 5.0, 6.0], "comment": "awful"},
    ]
    assert [h["response"]["elements"] for h in hits] == [{"score": 0.9, "label": "pos"}, {"score": 0.1, "label": "neg"}]
    assert hits[0]["protocol"] == "v2"


@pytest.mark.parametrize("pair", ["seldon_pair.json", "kserve_pair.json"])
async def test_executor_pairs_posted_in_reverse_order_merge_into_one_document(
    start_logger: Any, pair: str, test_data: Any
) -> None:
    logger = await start_logger()
    events = test_data(pair)
    await post_ok(logger, events["response"]["headers"], events["response"]["body"])
    await post_ok(logger, events["request"]["headers"], events["request"]["body"])

    headers = events["request"]["headers"]
    request_id = headers.get("Ce-Requestid") or headers["Ce-Id"]  # KServe correlates on the shared Ce-Id
    found = await logger.search(namespace=headers["Ce-Namespace"], name=headers["Ce-Inferenceservicename"])
    rows = len(events["request"]["body"].get("instances") or events["request"]["body"]["data"]["ndarray"])
    assert found["total"] == rows
    for hit in found["requests"]:
        assert hit["requestId"] == request_id
        assert hit["endpoint"] == headers["Ce-Endpoint"]
        assert "request" in hit and "response" in hit, hit
    if pair == "kserve_pair.json":
        assert sorted(h["response"]["elements"]["0"] for h in found["requests"]) == [1, 1]
        assert {h["engine"] for h in found["requests"]} == {"inferenceservice"}
