// Purpose: Uniqueness constraints and lookup indexes of the provenance graph and of the app's summary
//   nodes (:PipelineSummary, :StoreSummary, cypher/summary/). Idempotent
//   (IF NOT EXISTS); run before every load. Uniqueness on `uid` makes every MERGE an index seek.
// Parameters: none
// Returns: nothing
CREATE CONSTRAINT execution_uid IF NOT EXISTS FOR (n:Execution) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT artifact_uid IF NOT EXISTS FOR (n:Artifact) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT context_uid IF NOT EXISTS FOR (n:Context) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT store_name IF NOT EXISTS FOR (n:Store) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT store_lock IF NOT EXISTS FOR (n:StoreLock) REQUIRE n.store IS UNIQUE;
CREATE CONSTRAINT graphlet_uid IF NOT EXISTS FOR (n:Graphlet) REQUIRE n.uid IS UNIQUE;
CREATE INDEX execution_store IF NOT EXISTS FOR (n:Execution) ON (n.store);
CREATE INDEX execution_kind IF NOT EXISTS FOR (n:Execution) ON (n.kind);
CREATE INDEX execution_pipeline IF NOT EXISTS FOR (n:Execution) ON (n.pipeline);
CREATE INDEX artifact_store IF NOT EXISTS FOR (n:Artifact) ON (n.store);
CREATE INDEX context_store IF NOT EXISTS FOR (n:Context) ON (n.store);
CREATE INDEX context_name IF NOT EXISTS FOR (n:Context) ON (n.name);
CREATE INDEX graphlet_pipeline IF NOT EXISTS FOR (n:Graphlet) ON (n.pipeline);
CREATE INDEX graphlet_store IF NOT EXISTS FOR (n:Graphlet) ON (n.store);
CREATE INDEX input_uid IF NOT EXISTS FOR ()-[r:INPUT]-() ON (r.uid);
CREATE INDEX output_uid IF NOT EXISTS FOR ()-[r:OUTPUT]-() ON (r.uid);
CREATE INDEX pipeline_summary_store IF NOT EXISTS FOR (n:PipelineSummary) ON (n.store);
CREATE INDEX pipeline_summary_pipeline IF NOT EXISTS FOR (n:PipelineSummary) ON (n.pipeline);
CREATE CONSTRAINT store_summary_store IF NOT EXISTS FOR (n:StoreSummary) REQUIRE n.store IS UNIQUE;
