/** How a member joins the consortium's cluster and when it gives up on being part of it. */
package org.fedmesh.node.membership;
