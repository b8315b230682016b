/*
 * project_yaml.h — the lac.yaml value helpers project.c's sections share
 * with the sections loaded in files of their own (alert_channels.c).
 * Only files of src/project/ include it.
 */
#ifndef LAC_PROJECT_YAML_H
#define LAC_PROJECT_YAML_H

#include <stdbool.h>

#include "base/yaml_doc.h"
#include "project/project.h"

/* A scalar value whose ${...} references are well formed (E006 otherwise). */
bool project_check_refs(struct project *p, const struct ynode *n);
/* A setting from a scalar, or (allow_map) from a mapping of scalars (one
 * level); E005 for another shape.  false when something was reported. */
bool project_setting_from(struct project *p, const struct ypair *pr, struct setting *out,
			  bool allow_map);

/* lac.yaml's alerts: { channels: { NAME: {type: slack|email, ...} } }
 * into p->alert_channels (alert_channels.c). */
void alert_channels_load(struct project *p, const struct ynode *v);

#endif
