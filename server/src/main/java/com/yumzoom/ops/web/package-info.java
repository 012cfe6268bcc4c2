/**
 * The web UI: static ES modules served from the classpath with content-hashed asset URLs, the
 * dashboards API (JSON files in the data directory) and the live dashboard stream (server-sent
 * events carrying fresh panel results).
 */
package com.yumzoom.ops.web;
