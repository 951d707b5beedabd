// The load test wizard's fields -> the API's request, with each wrong field named in words.
import type { LoadTestRequest } from "../../api/monitor";
import { parseJson } from "../monitor/format";

export interface LoadTestForm {
  connections: string;
  mode: "duration" | "requests";
  amount: string;
  payload: string;
}

/** The request the form asks for, or an error naming the field. */
export function loadTestRequest(form: LoadTestForm): LoadTestRequest {
  const connections = Number(form.connections);
  if (!Number.isInteger(connections) || connections < 1) {
    throw new Error(`Connections: "${form.connections}" is not a whole number of at least 1`);
  }
  const amount = Number(form.amount);
  if (!Number.isFinite(amount) || amount <= 0 || (form.mode === "requests" && !Number.isInteger(amount))) {
    const what = form.mode === "requests" ? "Requests: a whole number" : "Duration: a number of seconds";
    throw new Error(`${what} above 0 is needed, not "${form.amount}"`);
  }
  const parsed = parseJson(form.payload, "The payload");
  if (!parsed.ok) throw new Error(parsed.error);
  return {
    connectionsNumber: connections,
    ...(form.mode === "requests" ? { requestsNumber: amount } : { duration: String(amount) }),
    payload: parsed.value,
  };
}

