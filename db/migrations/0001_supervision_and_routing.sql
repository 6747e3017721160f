CREATE TABLE "calendar_overrides" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"version" serial PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supervision_notices" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"unit_id" text,
	"kind" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_base" (
	"id" text PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"question" text NOT NULL,
	"patterns" text[] NOT NULL,
	"answer" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"region_code" text,
	"unit_id" text NOT NULL,
	"co_unit_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"parent_code" text
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "near_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "return_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "policy_version" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sign_overdue" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "callback_missed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "return_request" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "return_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "extension" jsonb;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "merged_into" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "repeat_of" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "triage_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "proposal" jsonb;--> statement-breakpoint
CREATE INDEX "notifications_status_idx" ON "notifications" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "notifications_unit_idx" ON "notifications" USING btree ("unit_id","created_at");--> statement-breakpoint
CREATE INDEX "supervision_notices_ticket_idx" ON "supervision_notices" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "supervision_notices_unit_idx" ON "supervision_notices" USING btree ("unit_id","created_at");--> statement-breakpoint
CREATE INDEX "routing_rules_topic_idx" ON "routing_rules" USING btree ("topic","region_code");--> statement-breakpoint
CREATE INDEX "tickets_caller_phone_idx" ON "tickets" USING btree ("caller_phone","received_at");