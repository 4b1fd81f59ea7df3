-- An example runbook admins can copy: it recycles a pooled XenServer VDI desktop.

insert into runbooks (id, name, description, steps, notes, version, created_at, updated_at)
values (
    '01950000-0000-7000-8000-00000000a001',
    'Virtual Machine Recycler',
    'Reverts a XenServer VM to its clean snapshot, registers it again in SCCM and resets its AD computer object.',
    '[
  {
    "key": "shutdown",
    "name": "Shut down the VM",
    "module": "xen.shutdown",
    "params": {
      "url": "{{ vars.xen_url }}",
      "username": "{{ vars.xen_username }}",
      "password": "{{ secrets.xen_password }}",
      "vm": "{{ asset.name }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "revert",
    "name": "Revert to the clean snapshot",
    "module": "xen.revert",
    "params": {
      "url": "{{ vars.xen_url }}",
      "username": "{{ vars.xen_username }}",
      "password": "{{ secrets.xen_password }}",
      "vm": "{{ asset.name }}",
      "snapshot": "clean"
    },
    "enabled": true,
    "timeout_seconds": 600,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "start",
    "name": "Start the VM",
    "module": "xen.start",
    "params": {
      "url": "{{ vars.xen_url }}",
      "username": "{{ vars.xen_username }}",
      "password": "{{ secrets.xen_password }}",
      "vm": "{{ asset.name }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "unregister",
    "name": "Remove the old SCCM device",
    "module": "sccm.remove",
    "params": {
      "url": "{{ vars.sccm_url }}",
      "username": "{{ vars.sccm_username }}",
      "password": "{{ secrets.sccm_password }}",
      "name": "{{ asset.name }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "register",
    "name": "Register the device in SCCM",
    "module": "sccm.register",
    "params": {
      "url": "{{ vars.sccm_url }}",
      "username": "{{ vars.sccm_username }}",
      "password": "{{ secrets.sccm_password }}",
      "name": "{{ asset.name }}",
      "mac": "{{ asset.metadata.mac }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "collection",
    "name": "Add it to the VDI collection",
    "module": "sccm.add_to_collection",
    "params": {
      "url": "{{ vars.sccm_url }}",
      "username": "{{ vars.sccm_username }}",
      "password": "{{ secrets.sccm_password }}",
      "collection_id": "{{ vars.sccm_vdi_collection }}",
      "resource_id": "{{ steps.register.resource_id }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "delete_computer",
    "name": "Delete the AD computer object",
    "module": "ldap.delete_computer",
    "params": {
      "dn": "CN={{ asset.name }},{{ vars.computers_ou }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  },
  {
    "key": "create_computer",
    "name": "Create a fresh AD computer object",
    "module": "ldap.create_computer",
    "params": {
      "name": "{{ asset.name }}",
      "ou_dn": "{{ vars.computers_ou }}",
      "description": "VDI desktop, recycled {{ run.id }}"
    },
    "enabled": true,
    "timeout_seconds": 300,
    "retry": {
      "max_attempts": 3,
      "backoff_seconds": 30
    }
  }
]'::jsonb,
    'Recycles a pooled VDI desktop so the next person gets a clean machine: the VM is reverted to its snapshot named clean, its SCCM device is imported again and put back in the VDI collection, and its AD computer object is recreated.

Copy it before changing it. Set these variables first: xen_url, xen_username, the secret xen_password, sccm_url, sccm_username, the secret sccm_password, sccm_vdi_collection and computers_ou. The instance''s metadata must hold its MAC address as mac.

Use a copy as the reinstall runbook of a definition whose policy is Return to pool with reinstall, or run it by hand for one instance.',
    1, now(), now()
)
on conflict do nothing;
