"""One test module per stage of the job: data, model, train, evaluate."""
