"""Usage monitoring: CPU, memory and process counts of each deployment's serving processes, sampled periodically
into `gateway.usage_samples` and queried over a time range per deployment, namespace or everything."""
