import { describe, expect, it } from "vitest";
import { loadTestRequest, type LoadTestForm } from "./form";

const form = (f: Partial<LoadTestForm>): LoadTestForm => ({
  connections: "2",
  mode: "requests",
  amount: "200",
  payload: '{"data": {"ndarray": [[1, 2]]}}',
  ...f,
});

describe("loadTestRequest", () => {
  it("sends a request count or a duration, never both", () => {
    expect(loadTestRequest(form({}))).toEqual({
      connectionsNumber: 2,
      requestsNumber: 200,
      payload: { data: { ndarray: [[1, 2]] } },
    });
    expect(loadTestRequest(form({ mode: "duration", amount: "1.5" }))).toEqual({
      connectionsNumber: 2,
      duration: "1.5",
      payload: { data: { ndarray: [[1, 2]] } },
    });
  });

  it("names the field that is wrong", () => {
    expect(() => loadTestRequest(form({ connections: "0" }))).toThrow('Connections: "0"');
    expect(() => loadTestRequest(form({ amount: "2.5" }))).toThrow("Requests: a whole number");
    expect(() => loadTestRequest(form({ mode: "duration", amount: "-1" }))).toThrow("Duration: a number of seconds");
    expect(() => loadTestRequest(form({ payload: "{" }))).toThrow("The payload is not valid JSON");
  });
});
