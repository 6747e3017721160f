CREATE TABLE "classifier_models" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"promoted_at" timestamp with time zone,
	"training_cases" integer,
	"metrics" jsonb,
	"baseline" jsonb,
	"baseline_version" text,
	"artifact" jsonb
);
--> statement-breakpoint
CREATE INDEX "classifier_models_promoted_idx" ON "classifier_models" USING btree ("status","promoted_at");