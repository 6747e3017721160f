-- Repeats by place on PostGIS where the server offers it (README → Repeats by place and hot spots).
-- Only where pg_available_extensions lists postgis: the extension, then a GiST index over the
-- ticket's point as geography. An expression index over the existing lat/lng columns, not a
-- generated column: no rewrite of the tickets table (a stored column rewrites every row under an
-- exclusive lock and adds a column the drizzle schema could not declare on a server without
-- PostGIS). db/repeats-by-place.ts queries the same expression, so the planner uses this index.
-- A server without PostGIS (the embedded default, plain Postgres), or a role that may not create
-- the extension (postgis is not a trusted extension: superuser only), leaves a notice and keeps the
-- grid index of 0008; this migration never fails for want of PostGIS. Safe to run again by hand
-- (psql -f) once an operator installed PostGIS after the migration ran.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis') THEN
    BEGIN
      CREATE EXTENSION postgis;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'repeats by place: PostGIS not created (%), the grid index serves', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis') THEN
    BEGIN
      EXECUTE 'CREATE INDEX IF NOT EXISTS tickets_geography_idx ON tickets USING gist '
        || '((geography(st_setsrid(st_makepoint(lng, lat), 4326)))) WHERE lat IS NOT NULL AND lng IS NOT NULL';
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'repeats by place: no PostGIS index (%), the grid index serves', SQLERRM;
    END;
  END IF;
END $$;
