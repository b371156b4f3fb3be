"""The operator's web console (bàn điều khiển): server-rendered pages over the same services
as the CLI. Imported only by `radio web`: nothing here loads when other commands run."""
