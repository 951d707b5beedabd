"""Load tests of a deployment (`{base}/loadtestjobs`): a durable job record per test, run asynchronously by a
real HTTP load generator against the deployment's public data-plane route; results kept with the job."""
